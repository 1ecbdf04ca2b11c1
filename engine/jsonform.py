"""The one canonical JSON text (hashing, comparing) and the one JSON text for output."""
from __future__ import annotations

import json
from dataclasses import fields, is_dataclass

import orjson

# Dates and dataclasses go through ``default=str`` as with json.dumps; int keys become text.
_OUTPUT_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_APPEND_NEWLINE)


def canonical_json(value) -> str:
    """One canonical text for a JSON value: sorted keys, no spaces, UTF-8 kept (dates as text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def output_json(value, indent: bool = True, dataclasses: bool = False) -> bytes:
    """What a command prints as JSON: UTF-8, two-space indentation, one newline at the end.

    Byte for byte what ``json.dumps(value, ensure_ascii=False, indent=2, default=str)`` makes,
    twenty times faster (json's C encoder is off as soon as it indents). A value orjson
    cannot write (an integer beyond 64 bits) takes the json module's path.

    ``dataclasses``: a dataclass is written as an object of its fields (orjson's own way),
    not as its ``str``; for a caller whose dataclasses are meant so (``api.summary_json``).
    """
    option = _OUTPUT_OPTIONS ^ orjson.OPT_PASSTHROUGH_DATACLASS if dataclasses else _OUTPUT_OPTIONS
    try:
        return orjson.dumps(value, default=str, option=option | (orjson.OPT_INDENT_2 if indent else 0))
    except orjson.JSONEncodeError:
        text = json.dumps(value, ensure_ascii=False, indent=2 if indent else None,
                          default=_fields_or_str if dataclasses else str)
        return (text + "\n").encode()


def _fields_or_str(value):
    """json's ``default`` for ``dataclasses``: a dataclass as its fields (orjson's way), anything else as text."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return str(value)
