"""Types of parameter values, declared in the parameter file: ``type: map[int,int]``.

Grammar: ``number``, ``int``, ``str``, ``bool``, ``list[T]``, ``map[K,V]`` and
``record{name:T,...}`` (an object with exactly those fields). A value that does not fit is
refused in Swedish, naming where in the value (``[0].from_hours ska vara ett tal, men är 'fem'``).
"""
from __future__ import annotations

from typing import Any, Callable

Checker = Callable[[Any, str], None]  # raises ValueError naming the path


def _split(text: str) -> list[str]:
    """Split on top-level commas."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def parse_type(text: str) -> Checker:
    text = text.strip()
    simple = {"number": ((int, float), "ett tal"), "int": ((int,), "ett heltal"),
              "str": ((str,), "en text"), "bool": ((bool,), "true eller false")}
    if text in simple:
        kinds, what = simple[text]

        def check(value, path):
            if not isinstance(value, kinds) or (text != "bool" and isinstance(value, bool)):
                raise ValueError(f"{path or 'värdet'} ska vara {what}, men är {value!r}")
        return check
    if text.startswith("list[") and text.endswith("]"):
        item = parse_type(text[5:-1])

        def check(value, path):
            if not isinstance(value, list):
                raise ValueError(f"{path or 'värdet'} ska vara en lista, men är {value!r}")
            for i, v in enumerate(value):
                item(v, f"{path}[{i}]")
        return check
    if text.startswith("map[") and text.endswith("]"):
        parts = _split(text[4:-1])
        if len(parts) != 2:
            raise ValueError(f"map tar en nyckeltyp och en värdetyp: {text!r}; skriv till exempel map[int,int]")
        key, val = parse_type(parts[0]), parse_type(parts[1])

        def check(value, path):
            if not isinstance(value, dict):
                raise ValueError(f"{path or 'värdet'} ska vara en mappning, men är {value!r}")
            for k, v in value.items():
                key(k, f"{path}[{k!r}] (nyckeln)")
                val(v, f"{path}[{k!r}]")
        return check
    if text.startswith("record{") and text.endswith("}"):
        fields = {}
        for part in _split(text[7:-1]):
            name, _, ftype = part.partition(":")
            fields[name.strip()] = parse_type(ftype)

        def check(value, path):
            if not isinstance(value, dict):
                raise ValueError(f"{path or 'värdet'} ska vara en mappning med fälten {', '.join(fields)}, men är {value!r}")
            missing, extra = set(fields) - set(value), set(value) - set(fields)
            if missing or extra:
                raise ValueError(f"{path or 'värdet'}: fält som saknas {sorted(missing)}, okända fält {sorted(extra)}")
            for name, checker in fields.items():
                checker(value[name], f"{path}.{name}" if path else name)
        return check
    raise ValueError(f"okänd typ {text!r}; använd number, int, str, bool, list[T], map[K,V] eller record{{namn:T,...}}")
