"""Calendar arithmetic the policy uses: months, school months and document ages."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


# The days a date given to the system may fall on: far wider than any case needs, narrow
# enough that date arithmetic never overflows (technical bounds, not policy values).
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def out_of_range(day: date) -> str:
    """Why a date is refused (Swedish, for messages)."""
    return f"{day.isoformat()} ligger utanför de datum systemet hanterar ({EARLIEST}–{LATEST})"


def plus_days(day: date, days: int) -> date | None:
    """The day N days later, or None if that leaves the dates the system handles."""
    try:
        later = day + timedelta(days=days)
    except (OverflowError, ValueError):
        return None
    return later if in_range(later) else None


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written YYYY-MM in applications and decisions."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(f"expected YYYY-MM, got {text!r}")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12:
            raise ValueError(f"month must be 01-12, got {text!r}")
        return value

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    def next(self) -> "Month":
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(start: Month, end: Month) -> list[Month]:
    """Every calendar month from start to end, both included."""
    months, current = [], start
    while current <= end:
        months.append(current)
        current = current.next()
    return months


def minus_months(day: date, months: int) -> date:
    """The same day N calendar months earlier; the 31st clamps to the month's last day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def age_in_months(document: date, receipt: date) -> float:
    """How old a document is at receipt, in calendar months as the policy counts them.

    Whole months are counted back from the receipt date (clamping the 31st); a part
    month left over counts as half a month. So a document dated exactly 12 months before
    receipt is 12 months old and one a day older is 12.5: "within 12 months" is `<= 12`.
    """
    whole = (receipt.year - document.year) * 12 + receipt.month - document.month
    if minus_months(receipt, whole) < document:
        whole -= 1
    return float(whole) if minus_months(receipt, whole) == document else whole + 0.5
