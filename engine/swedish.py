"""Swedish as a letter writes it: number words, plurals, dates and months in words, lists.

Dates and month names come from Babel's Swedish locale data (CLDR), not from a table here.
Counts up to twelve are written in words, as Swedish style guides ask; larger ones in digits.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

LOCALE = Locale.parse("sv_SE")
# Språkrådet: write the numbers one to twelve in words in running text.
_WORDS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
_NOUN = re.compile(r"^(en|ett) ([^/]+)/([^/]+)$")


def number_word(n: int, gender: str = "en") -> str:
    """1 → 'en' (or 'ett'), 3 → 'tre', 13 → '13'."""
    if n == 1:
        return gender
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}".replace(",", " ")


@functools.lru_cache(maxsize=4096)
def count(n, noun: str, words: bool = True) -> str:
    """A count with its noun in the right number: count(3, 'en skolmånad/skolmånader') → 'tre skolmånader'.

    ``noun`` is 'en|ett singular/plural'; 0 is written 'inga …' ('inget …' for ett-words).
    With ``words=False`` (a measure: hours, days) the number stays in digits: '4 timmar', '1 timme',
    '2,5 timmar'.
    """
    match = _NOUN.match(noun)
    if match is None:
        raise ValueError(f"a counted noun is written 'en skolmånad/skolmånader', got {noun!r}")
    gender, singular, plural = match.groups()
    if not words or n != int(n):
        shown = f"{n:,}".replace(",", " ").replace(".", ",") if n != int(n) else f"{int(n):,}".replace(",", " ")
        return f"{shown} {singular if n == 1 else plural}"
    n = int(n)
    if n == 0:
        return f"{'inget' if gender == 'ett' else 'inga'} {singular if gender == 'ett' and singular == plural else plural}"
    return f"{number_word(n, gender)} {singular if n == 1 else plural}"


def check_noun(noun: str) -> bool:
    return _NOUN.match(noun) is not None


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def date_words(value) -> str:
    """2026-04-06 → '6 april 2026'; '' stays ''."""
    if value in ("", None):
        return ""
    return _date_words(str(value))


@functools.lru_cache(maxsize=8192)  # a batch formats the same few hundred days again and again
def _date_words(text: str) -> str:
    return format_date(_as_date(text), "d MMMM y", locale=LOCALE)


@functools.lru_cache(maxsize=1024)
def _month_words(text: str) -> str:
    return format_date(date(int(text[:4]), int(text[5:7]), 1), "LLLL y", locale=LOCALE)


def month_words(value) -> str:
    """'2026-08' → 'augusti 2026'."""
    if value in ("", None):
        return ""
    return _month_words(str(value)[:7])


def month_range(first, last) -> str:
    """'2026-08', '2026-12' → 'augusti–december 2026'; across years 'augusti 2026–juni 2027'."""
    a, b = month_words(first), month_words(last)
    if a == b:
        return a
    if str(first)[:4] == str(last)[:4]:
        return f"{a.rsplit(' ', 1)[0]}–{b}"
    return f"{a}–{b}"


def join(items, word: str = "och") -> str:
    """['a', 'b', 'c'] → 'a, b och c' ('eller' joins alternatives)."""
    items = [str(i) for i in items]
    if word == "och":
        return format_list(items, locale=LOCALE)
    return format_list(items, style="or", locale=LOCALE)


def date_range(first, last) -> str:
    """2026-08-01, 2026-12-31 → '1 augusti–31 december 2026'; across years both years."""
    a, b = date_words(first), date_words(last)
    if a and b and str(first)[:4] == str(last)[:4] and a != b:
        return f"{a.rsplit(' ', 1)[0]}–{b}"
    return f"{a}–{b}"
