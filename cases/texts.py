"""What a caseworker or an administrator types (a name, a reason, a document asked for), checked
before it is stored.

These texts go into decisions, events and letters a principal reads, so they get what an
application's strings get at intake (``engine.inputguard``): no personnummer or
samordningsnummer in any form (``engine.sensitive``; the refusal never repeats the text), no
lone UTF-16 surrogate, and a length limit. Control characters (ESC, BEL, …) are refused too:
they are not text, and a letter or a terminal would act on them; so are the bidirectional
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a text show
in another order than it is stored in. A reason may hold line breaks and tabs; a name may not. The limits are in docs/input-limits.md.
"""
from __future__ import annotations

from engine.sensitive import contains_personnummer, has_lone_surrogate, unsafe_char, unsafe_char_problem

from .errors import InputRefused

NAME_MAX = 100  # a caseworker's or an account's full name
USERNAME_MAX = 64
REASON_MAX = 4_000  # an override's reason in free text
ITEM_MAX = 500  # one document or piece of information asked for in a completion

PNR_FIX = ("får inte innehålla ett personnummer eller samordningsnummer (i någon form); ta bort numret "
           "(en elev anges med sin pseudonyma elevreferens)")


def checked_text(field: str, value: str | None, limit: int, *, empty: str, lines: bool = False) -> str:
    """``value`` without surrounding white space, or an InputRefused naming ``field``: ``empty``
    when there is nothing but white space, else what is wrong (the value is never repeated)."""
    text = (value or "").strip()
    if not text:
        raise InputRefused(field, empty)
    if has_lone_surrogate(text):
        raise InputRefused(field, "innehåller ett ensamt UTF-16-surrogattecken (\\ud800–\\udfff), som inte är "
                                  "text; skriv om texten")
    if contains_personnummer(text):
        raise InputRefused(field, PNR_FIX)
    char = unsafe_char(text, lines)
    if char is not None:
        raise InputRefused(field, unsafe_char_problem(char, lines))
    if len(text) > limit:
        raise InputRefused(field, f"är {len(text)} tecken lång; högst {limit} tecken är tillåtna")
    return text
