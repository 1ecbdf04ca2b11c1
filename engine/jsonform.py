"""The one canonical JSON text (hashing, comparing) and the one JSON text for output."""
from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass

import orjson

# Dates and dataclasses go through ``default=str`` as with json.dumps; int keys become text.
_OUTPUT_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_APPEND_NEWLINE)


def canonical_json(value) -> str:
    """One canonical text for a JSON value: sorted keys, no spaces, UTF-8 kept (dates as text).

    The text is by definition json's (``_canonical_by_json``): stored hash chains depend on each
    byte of it. orjson writes a value made only of strings, integers, booleans, None, lists,
    dicts, and floats it writes as json does (``_orjson_writes_alike``: an application, an event
    with its payload, a ledger entry, a letter) byte for byte alike, three to ten times faster.
    json writes anything else: a float orjson writes otherwise (``0.00001`` where json writes
    ``1e-05``; NaN as ``null``), dates, tuples, subclasses, and what orjson refuses (a key that
    is not a string, an integer beyond 64 bits, a lone surrogate). ``tests/test_canonical_json.py``
    holds the two equal.
    """
    fast = _canonical_by_orjson(value)
    return _canonical_by_json(value) if fast is None else fast.decode()


def canonical_bytes(value) -> bytes:
    """``canonical_json(value)`` in UTF-8, from orjson's bytes as they are where orjson writes it
    (decoding a letter's text to ``str`` and encoding it again cost as much as hashing it)."""
    fast = _canonical_by_orjson(value)
    return _canonical_by_json(value).encode() if fast is None else fast


def canonical_hash(value) -> str:
    """sha256 (hex) of ``canonical_json(value)`` in UTF-8: every content hash."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def _canonical_by_orjson(value) -> bytes | None:
    """The canonical text in UTF-8 when orjson writes it as json would; None when json must."""
    if _orjson_writes_alike(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return None


def _canonical_by_json(value) -> str:
    """The canonical text as the json module writes it: the definition ``canonical_json`` keeps."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


_SCALARS = frozenset((str, int, bool, type(None)))  # exact types: a subclass goes to json


def _orjson_writes_alike(value, depth: int = 0) -> bool:
    """Is ``value`` made only of strings, integers, booleans, None, lists and dicts (exact types),
    nested less than 32 deep, and floats whose text orjson writes as json does (json writes a
    float as ``float.__repr__``)?"""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is float:
        return orjson.dumps(value) == float.__repr__(value).encode()
    if depth == 32 or (kind is not dict and kind is not list):
        return False
    for item in value.values() if kind is dict else value:
        if type(item) not in _SCALARS and not _orjson_writes_alike(item, depth + 1):
            return False
    return True


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
