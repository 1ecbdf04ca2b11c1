"""Intake's first look at a file: what no field may hold, whatever the application's kind.

Before a file's fields are validated one by one, every string in it (values and keys) is
checked here: no personnummer or samordningsnummer in any form (see ``engine.sensitive``),
no lone UTF-16 surrogate, no control or bidirectional-override character (``unsafe_char``;
the need's description may hold line breaks and tabs), and no string longer than its limit;
no whole number beyond ``INT_MAX`` either; the file's own name must not
hold a personnummer either. A refusal names the field and never repeats the value.
Duplicate keys in a JSON object are refused where the JSON is read (``object_pairs``).

The limits (documented in docs/input-limits.md): identifiers 64 characters, the need's
description 20,000, every other string 200 (field names 64); lists 100 items; objects nested at most 20 deep.
"""
from __future__ import annotations

from typing import Any

from .intake_errors import FieldError, Problems, intake_error, refuse
from .sensitive import (UNSAFE_BUT_NUL, UNSAFE_IN_LINES_BUT_NUL, contains_personnummer, has_lone_surrogate,
                        strings_of, unsafe_char, unsafe_char_problem)

ID_MAX, TEXT_MAX, DESCRIPTION_MAX, LIST_MAX, DEPTH_MAX = 64, 200, 20_000, 100, 20
# The largest whole number a file may hold, either sign: the largest every JSON reader takes
# exactly (I-JSON, RFC 7493). A larger one would be stored as written but read back rounded, and
# the case's own hash would then no longer match its application.
INT_MAX = 2**53 - 1
# Fields (by their last name) whose values are identifiers, and the long free texts.
ID_FIELDS = {"application_id", "ref", "previous_decision_id", "id", "preferred_groups"}
LONG_FIELDS = {"description": DESCRIPTION_MAX}

PNR_FIX = ("får inte innehålla ett personnummer eller samordningsnummer (i någon form); "
           "använd e-tjänstens pseudonyma elevreferens och ta bort numret")


def _last_name(path: str) -> str:
    name = path.rsplit(".", 1)[-1]
    return name.split("[", 1)[0]


def limit_of(path: str) -> int:
    """The longest string the field at ``path`` may hold."""
    return _limit_of_name(_last_name(path))


def _limit_of_name(name: str) -> int:
    if name in ID_FIELDS:
        return ID_MAX
    return LONG_FIELDS.get(name, TEXT_MAX)


def check_file_name(source: str) -> None:
    """A file whose name holds a personnummer is refused before it is read (the name is never shown)."""
    if source and (contains_personnummer(source) or has_lone_surrogate(source)):
        raise refuse("(filnamn)", "filnamnet får inte innehålla ett personnummer eller samordningsnummer; "
                          "byt namn på filen och skicka den igen")


def _shape(value: Any, path: str, depth: int, problems: Problems) -> bool:
    """Lists over their limit and nesting too deep; True if the file is nested too deep to read further."""
    if depth > DEPTH_MAX:
        problems.add(path or "(fil)", f"är nästlad djupare än {DEPTH_MAX} nivåer; formatet har inga så djupa fält")
        return True
    if type(value) is int and not -INT_MAX <= value <= INT_MAX:
        largest = f"{INT_MAX:,}".replace(",", " ")
        problems.add(path or "(fil)", f"är ett för stort tal: ett heltal får vara högst {largest} (och minst "
                                      f"−{largest}); ange rätt värde")
        return False
    if isinstance(value, list):
        if len(value) > LIST_MAX:
            problems.add(path, f"har {len(value)} poster; högst {LIST_MAX} är tillåtna")
        return any(_shape(item, f"{path}[{i}]", depth + 1, problems) for i, item in enumerate(value))
    if isinstance(value, dict):
        return any(_shape(item, f"{path}.{key}" if path else str(key), depth + 1, problems)
                   for key, item in value.items())
    return False


# Strings already found free of pupil data and surrogates (field names, codes, schools, dates
# recur in every file): not searched again. At most this many, each at most ID_MAX long (free
# texts such as a need's description are new in every application and always searched).
KNOWN_CLEAN_MAX = 10_000
_KNOWN_CLEAN: set[str] = set()


def _clean(data: Any) -> bool:
    """True when ``string_problems`` surely finds nothing, found in one pass without field paths:
    the same limits (a string's depends on the last name of its key, or of its list's key), the
    strings searched joined (``_all_text``); a short string already found clean (``_KNOWN_CLEAN``)
    is not searched again. False sends the file to the walk that names each problem; so does any
    value that is not what JSON gives (a subclass, another type)."""
    strings: list[str] = []  # one line each
    texts: list[str] = []  # the long free texts (``LONG_FIELDS``), which may hold line breaks
    add = strings.append
    known = _KNOWN_CLEAN
    stack = [(data, "", 0)]
    push = stack.append
    while stack:
        value, name, depth = stack.pop()
        if depth > DEPTH_MAX:
            return False
        kind = type(value)
        if kind is dict:
            inner = depth + 1
            for key, item in value.items():
                if type(key) is not str or len(key) > ID_MAX:
                    return False
                if key not in known:
                    add(key)
                if type(item) is str and inner <= DEPTH_MAX:  # most values: checked here, not stacked
                    if key in LONG_FIELDS:
                        if len(item) > LONG_FIELDS[key]:
                            return False
                        texts.append(item)
                    elif len(item) > ID_MAX and len(item) > _limit_of_name(_last_name(key)):
                        return False
                    elif item not in known:
                        add(item)
                else:
                    push((item, key, inner))
        elif kind is list:
            if len(value) > LIST_MAX:
                return False
            push_all = depth + 1
            for item in value:
                push((item, name, push_all))
        elif kind is str:
            if len(value) > ID_MAX and len(value) > _limit_of_name(_last_name(name)):
                return False
            if name in LONG_FIELDS:
                texts.append(value)
            elif value not in known:
                add(value)
        elif kind is int:
            if not -INT_MAX <= value <= INT_MAX:
                return False
        elif kind not in _SCALARS:
            return False
    if not _all_text(strings, texts):
        return False
    if len(known) + len(strings) > KNOWN_CLEAN_MAX:
        known.clear()
    known.update(s for s in strings if len(s) <= ID_MAX)
    return True


def _all_text(strings: list[str], texts: list[str]) -> bool:
    """No string holds pupil data, a lone surrogate or what is not text (``texts`` may hold line
    breaks), found by searching them joined with NUL once: a NUL is neither digit, separator nor
    combining, so the joined text holds a personnummer or a lone surrogate exactly when one of its
    strings does."""
    joined, long = "\x00".join(strings), "\x00".join(texts)
    # NUL joins the strings: one inside a string makes more of them than the joins.
    if (joined.count("\x00") != max(len(strings) - 1, 0) or long.count("\x00") != max(len(texts) - 1, 0)
            or UNSAFE_BUT_NUL.search(joined) or UNSAFE_IN_LINES_BUT_NUL.search(long)):
        return False
    both = f"{joined}\x00{long}" if texts else joined
    return not (has_lone_surrogate(both) or contains_personnummer(both))


_SCALARS = frozenset((float, bool, type(None)))


def string_problems(data: Any) -> tuple[list[FieldError], bool]:
    """Every string (value or key) that holds pupil data, a lone surrogate or is too long, and every
    list or nesting over its limit; the flag says whether the rest of the file can still be validated
    (not with a lone surrogate, which is not text, nor nested too deep, nor with a field name that may
    hold a personnummer, since every message would name that field)."""
    if _clean(data):
        return [], False
    problems, fatal = Problems(), False
    for path, text, is_key in strings_of(data):
        field = path or "(fil)"
        if has_lone_surrogate(text):
            what = "har ett fältnamn som innehåller" if is_key else "innehåller"
            problems.add(field, f"{what} ett ensamt UTF-16-surrogattecken (\\ud800–\\udfff), som inte "
                         "är text; rätta tecknet, spara filen som UTF-8 och skicka den igen")
            fatal = True
            if is_key:
                return problems.items, True
        elif contains_personnummer(text):
            problems.add(field, ("har ett fältnamn som " if is_key else "") + PNR_FIX)
            if is_key:  # every later field path would name the key: nothing more is read
                return problems.items, True
        elif (char := unsafe_char(text, lines=not is_key and _last_name(path) in LONG_FIELDS)) is not None:
            problems.add(field, ("har ett fältnamn som " if is_key else "") + unsafe_char_problem(
                char, lines=not is_key and _last_name(path) in LONG_FIELDS))
            if is_key:  # every later message would name the key with the character in it
                return problems.items, True
        else:
            limit = ID_MAX if is_key else limit_of(path)
            if len(text) > limit:
                problems.add(field, f"är {len(text)} tecken lång; högst {limit} tecken är tillåtna")
    fatal = _shape(data, "", 0, problems) or fatal
    return problems.items, fatal


def check_strings(data: Any, source: str = "") -> None:
    """Refuse a file with every string (value or key) that holds pupil data, a lone surrogate or is
    too long, and every list or nesting over its limit."""
    check_file_name(source)
    problems, _ = string_problems(data)
    if problems:
        raise intake_error(problems, source)
