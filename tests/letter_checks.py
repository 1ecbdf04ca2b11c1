"""What every decision letter must avoid or contain (issue 11), as a checker tests share.

``letter_problems(text, decision)`` lists what is wrong with one letter: a code shown raw, a
plural written "(er)", a sentence said twice, a negative number of days, an ISO date or month
where a letter writes words, a grant without its months in words, a verksamhetsstöd letter
without the reconsideration paragraph.
"""
from __future__ import annotations

import re
from datetime import date

from babel.dates import get_month_names

from engine.labels import known_codes

MONTHS = [m for m in get_month_names("wide", locale="sv").values()]
_MONTH_WORD = re.compile(r"\b(" + "|".join(MONTHS) + r") \d{4}\b")
_CODE_TOKEN = re.compile(r"(?<![\w/.-])[a-zåäö]+_[a-zåäö_]+(?![\w/.-])")
_PAREN_PLURAL = re.compile(r"\w\((?:er|a|ar|or|na|n|en|et)\)")
_NEGATIVE_DAYS = re.compile(r"-\s?\d+ dag")
_ISO = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")
# The nouns the rules count, in the plural: "1 platser" is wrong, "en plats" right.
COUNTED_PLURALS = ("skolmånader", "månader", "dagar", "timmar", "platser", "grupper", "ansökningar", "åtgärder",
                   "stödåtgärder", "lediga")
_ONE_PLURAL = re.compile(r"(?<![\d,])\b1 (" + "|".join(COUNTED_PLURALS) + r")\b")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
_URL = re.compile(r"https?://\S+")
AREA_CODES = ("verksamhetsstod", "till_placeringsomgang", "delvis_bifall")


def raw_codes(text: str) -> list[str]:
    """Codes that a letter shows instead of their Swedish label."""
    text = _URL.sub("", text)
    found = set(_CODE_TOKEN.findall(text))
    for code, label in known_codes().items():
        if code != label and re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.add(code)
    found |= {c for c in AREA_CODES if re.search(rf"(?<![\w-]){c}(?![\w-])", text)}
    return sorted(found)


def repeated_sentences(text: str) -> list[str]:
    seen, twice = set(), []
    prose = "\n".join(line for line in _URL.sub("", text).splitlines() if not line.strip().startswith("Grund:"))
    for sentence in _SENTENCE.findall(prose.replace("kap.", "kap")):
        s = " ".join(sentence.split()).lstrip("-0123456789. ")
        if len(s) < 25:  # "Grund: …" fragments and list labels are not sentences
            continue
        if s in seen and s not in twice:
            twice.append(s)
        seen.add(s)
    return twice


def letter_problems(text: str, decision) -> list[str]:
    problems = [f"raw code {c!r}" for c in raw_codes(text)]
    problems += [f"plural written {m!r}" for m in _PAREN_PLURAL.findall(text)]
    problems += [f"'1 {m}'" for m in _ONE_PLURAL.findall(text)]
    problems += [f"sentence repeated: {s!r}" for s in repeated_sentences(text)]
    problems += [f"negative days {m!r}" for m in _NEGATIVE_DAYS.findall(text)]
    problems += [f"an empty value left a gap: {m!r}" for m in re.findall(r"\S  +\S", text)]
    problems += [f"ISO date or month {m!r}" for m in _ISO.findall(_URL.sub("", text))]
    if decision.amount_sek is not None and not _MONTH_WORD.search(text.split("Skäl för beslutet")[0]):
        problems.append("a grant without its months in words in the heading")
    if decision.kind == "verksamhetsstod" and "omprövas" not in text:
        problems.append("no reconsideration paragraph")
    if "inte uppfyllda" in text and decision.outcome == "bifall" and "VS-P1" in text.split("inte uppfyllda")[1]:
        problems.append("a full grant lists VS-P1 as not met")
    return problems
