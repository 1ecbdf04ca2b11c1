"""The personnummer detector's cheap first look never hides a personnummer the full search finds.

``contains_personnummer`` only folds and searches a text that ``_CANDIDATE`` matches; these
tests compare it with the full search on every text (fold, then ``_PNR`` with a real month
and day), on hand-picked forms and on texts Hypothesis builds from digits, separators,
invisible characters, dashes, spaces and non-ASCII digits.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.sensitive import _PNR, contains_personnummer, normalise


def full_search(text: str) -> bool:
    """The detector without its first look: every text folded and searched."""
    for match in _PNR.finditer(normalise(text)):
        month, day = int(match.group(2)), int(match.group(3))
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
            return True
    return False


FORMS = [
    "19121212-1212", "121212-1212", "1212121212", "191212121212", "EL-191212121212", "ansokan_19121212-1212.json",
    "１９１２１２１２－１２１２", "19\u200b121212\u200b-1212", "19 12 12 12 1212", "121272-1212",  # samordningsnummer
    "12\u00ad12\u00ad12\u20131212", "٠١٠١٠١-١٢٣٤", "12.12.12 1212", "12\t12\n12\u00a01212",
    "Eleven föddes 19121212–1212 i Malmö", "¹²¹²¹²-¹²¹²", "①②①②①②-①②①②",
]
HARMLESS = ["2026-03-12", "2026-03-12 10", "EL-522035", "41177203", "Rinkebyskolan", "2025-10\x002026-06",
            "Eleven har hög frånvaro och behöver stöd 40 timmar", "121312-1212", "12-12-12-12345", ""]


@pytest.mark.parametrize("text", FORMS)
def test_every_written_form_is_found(text):
    assert contains_personnummer(text) == full_search(text)


def test_written_forms_the_policy_names_are_found():
    assert all(contains_personnummer(t) for t in FORMS[:14])


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_texts_pass(text):
    assert contains_personnummer(text) is False
    assert full_search(text) is False


PIECES = st.sampled_from(list("0123456789") + ["１", "٣", "²", "①", "-", "–", "\u2212", " ", "\u00a0", "\u200b",
                                               "\u00ad", "\ufeff", ".", "/", "_", ":", ",", "+", "\t", "\n", "a",
                                               "å", "\x00", "19", "20", "12", "61", "1212"])


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_first_look_agrees_with_the_full_search(text):
    assert contains_personnummer(text) == full_search(text)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.text(max_size=60))
def test_first_look_agrees_on_any_text(text):
    assert contains_personnummer(text) == full_search(text)
