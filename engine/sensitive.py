"""Pupil data that must never be stored or echoed: the one definition of a personnummer.

A personnummer (or samordningsnummer, whose day is the birth day + 60) is recognised
however it is written: with or without century, with any separator or none between its
parts, in fullwidth or other non-ASCII digits, with any kind of dash or space, with
zero-width characters in between, and embedded in a longer text or reference
(``EL-191212121212``, ``ansokan_19121212-1212.json``). Text is first normalised (NFKC,
every dash to ``-``, every space to `` ``, invisible format characters removed) and then
searched for ten or twelve digits that form a plausible birth date followed by four digits.

The check digit is deliberately not required: a personnummer with one wrong digit still
identifies a pupil. The price is that a text like ``2026-03-12 1030`` (a date and four
digits) is refused as well; the message says how to write it instead.

Everything that receives text from outside (intake of applications and CSI requests, file
names, case references on the command line) calls ``contains_personnummer`` or
``shown_value`` from here, so there is one definition to get right.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterator

# What replaces a value that must not be shown.
HIDDEN = "(visas inte: kan innehålla ett personnummer)"
# The most of an offending value an error message may repeat.
SHOWN_MAX = 80

_SEP = r"[ \-+./_:,]{0,3}"
_PNR = re.compile(
    r"(?<!\d)(?:(?:18|19|20)" + _SEP + r")?"  # century (optional)
    r"(\d{2})" + _SEP + r"(\d{2})" + _SEP + r"(\d{2})"  # year, month, day (day + 60: samordningsnummer)
    r"[ \-+./_:,]{0,3}\d{4}(?!\d)"  # birth number and check digit
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# What is not text in a string, or makes it show in another order than it is stored in: the C0
# and C1 control characters and DEL (a letter or a terminal acts on them), and the bidirectional
# embeddings, overrides and isolates (a letter could read the opposite of the record). A text of
# several lines (a reason, a need's description) may hold line breaks and tabs. NUL is left to
# the callers that join strings with it (``inputguard``), which count it instead.
_BIDI = "\u202a-\u202e\u2066-\u2069"
UNSAFE_BUT_NUL = re.compile(f"[\x01-\x1f\x7f-\x9f{_BIDI}]")
UNSAFE_IN_LINES_BUT_NUL = re.compile(f"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def unsafe_char(text: str, lines: bool = False) -> str | None:
    """The first character of ``text`` that is not text (see ``UNSAFE_BUT_NUL``), or None."""
    if "\x00" in text:
        return "\x00"
    found = (UNSAFE_IN_LINES_BUT_NUL if lines else UNSAFE_BUT_NUL).search(text)
    return found.group() if found else None


def unsafe_char_problem(char: str, lines: bool = False) -> str:
    """Why ``unsafe_char``'s character is refused, in Swedish, with the fix (the text is never repeated)."""
    code = f"U+{ord(char):04X}"
    if 0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069:
        return (f"innehåller ett tecken som ändrar skrivriktningen ({code}), så att texten visas i annan ordning "
                "än den sparas; skriv texten utan det")
    allowed = " (radbrytningar och tabbar går bra)" if lines else ""
    return f"innehåller ett styrtecken ({code}), som inte är text; skriv texten utan det{allowed}"


_ASCII_SPACES = str.maketrans("\t\r\n\v\f", "     ")


def normalise(text: str) -> str:
    """The text as the detector reads it: NFKC, dashes and spaces unified, invisibles removed."""
    if text.isascii():  # the common case: nothing to fold but ASCII control spaces
        return text.translate(_ASCII_SPACES)
    return unicodedata.normalize("NFKC", text).translate(_FOLDED)


def _fold(char: str) -> str:
    """What one character of NFKC text reads as: a dash, a space, nothing (invisible), a digit, itself."""
    category = unicodedata.category(char)
    if category == "Pd" or char in "\u2212\u2010\u2011\ufe63\uff0d":
        return "-"
    if category in ("Zs", "Zl", "Zp") or char in "\t\r\n\v\f":
        return " "
    if category == "Cf":  # zero-width space/joiners, soft hyphen, BOM, bidi marks
        return ""
    if category == "Nd" and not char.isascii():
        return str(unicodedata.digit(char))
    return char


class _Folded(dict):
    """``_fold`` of each code point, for ``str.translate``, kept once worked out (up to a bound)."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        if len(self) < 20_000:
            self[code] = folded
        return folded


_FOLDED = _Folded()


# A cheap first look that every match of ``_PNR`` implies: ten digits grouped 2-2-2-4 with at
# most separators between the groups, and in between any of the characters that folding turns
# into a separator or removes (non-ASCII characters that are neither letters nor digits). It is
# searched in the NFKC text before folding; only a text it matches is folded and searched with
# ``_PNR`` (which also asks for a real month and day). Most texts hold dates but no candidate.
_GAP = r"[^\x00-\x7f\w]*"  # what folding removes (invisible format characters), or maps to - or a space
_SEPS = r"(?:[ \-+./_:,\t\r\n\v\f]|[^\x00-\x7f\w])*"
_CANDIDATE = re.compile(
    r"\d" + _GAP + r"\d" + _SEPS + r"\d" + _GAP + r"\d" + _SEPS + r"\d" + _GAP + r"\d" + _SEPS
    + r"\d" + _GAP + r"\d" + _GAP + r"\d" + _GAP + r"\d"
)
# The same for an ASCII text, where \d is 0-9 either way and the gaps' classes match nothing:
# without Unicode look-ups of every character.
_CANDIDATE_ASCII = re.compile(_CANDIDATE.pattern, re.ASCII)


def contains_personnummer(text: str) -> bool:
    """True if the text holds something that is, or may be, a personnummer or samordningsnummer."""
    if not text:
        return False
    if not (_CANDIDATE_ASCII.search(text) if text.isascii() else
            _CANDIDATE.search(unicodedata.normalize("NFKC", text))):
        return False
    for match in _PNR.finditer(normalise(text)):
        month, day = int(match.group(2)), int(match.group(3))
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
            return True
    return False


def has_lone_surrogate(text: str) -> bool:
    """True if the text holds half of a UTF-16 surrogate pair (cannot be printed or stored as UTF-8)."""
    return bool(_SURROGATE.search(text))


def shown_value(value: Any) -> str:
    """An offending value as an error message may show it: cut to 80 characters, never a personnummer."""
    text = value if isinstance(value, str) else repr(value)
    if has_lone_surrogate(text) or contains_personnummer(text):
        return HIDDEN
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 1] + "…"


def shown_path(path: str) -> str:
    """A file name as output may show it: hidden if it holds a personnummer, cut to 80 characters."""
    if has_lone_surrogate(path) or contains_personnummer(path):
        return "(filnamn som kan innehålla ett personnummer)"
    return path if len(path) <= 200 else "…" + path[-199:]


def stored_name(source: str) -> str:
    """What the case store keeps of a file name: its base name, or nothing if that may hold pupil data."""
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    if has_lone_surrogate(name) or contains_personnummer(name):
        return ""
    return name[:200]


OUTPUT_NAME_EXAMPLE = "stod-ÅÅÅÅ-MM-DD.db"


def output_name_problem(path: str, example: str = OUTPUT_NAME_EXAMPLE) -> str | None:
    """Why a file or folder about to be written may not be given this path (Swedish, the path is
    never repeated), or None. A path that holds a personnummer or samordningsnummer (or a lone
    surrogate, which may hide one) would put the number in a file name and in every listing and
    message that shows it. The one check for every output file: ``stod db backup``, and each
    command's ``--out``, ``--html``, ``--pdf``, ``--xlsx`` and anchor file."""
    if has_lone_surrogate(path) or contains_personnummer(path):
        return ("filnamnet får inte innehålla ett personnummer eller samordningsnummer; välj ett namn utan det "
                f"(till exempel {example})")
    return None


def strings_of(value: Any, path: str = "") -> Iterator[tuple[str, str, bool]]:
    """Every string in a JSON value: (field path, text, is_key), depth first."""
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            yield path, key_text, True
            yield from strings_of(item, f"{path}.{key_text}" if path else key_text)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings_of(item, f"{path}[{i}]")
