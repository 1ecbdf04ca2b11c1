"""Tests that kill the engine core's mutants (bench/mutation.py): each pins behaviour a
surviving mutant changed without any other test noticing."""
from __future__ import annotations

import pytest

from engine.dates import Month


@pytest.mark.parametrize("text, message", [
    ("2026-1", "expected YYYY-MM"),
    ("26-01", "expected YYYY-MM"),
    ("2026-13", "month must be 01-12"),
    ("2026-00", "month must be 01-12"),
])
def test_month_parse_refuses_what_is_not_a_month(text, message):
    with pytest.raises(ValueError) as caught:
        Month.parse(text)
    assert message in str(caught.value) and repr(text) in str(caught.value)


def test_month_parse_reads_the_first_and_last_month():
    assert (Month.parse("2026-01"), Month.parse("2026-12")) == (Month(2026, 1), Month(2026, 12))
