"""The decision date of a use case: never before receipt, never on a day the policy has no values."""
from __future__ import annotations

from datetime import date

from engine.errors import IntakeError

from .areas import area_of


def check_decision_date(app, given: date | None, today: date | None = None, option: str = "--date") -> date:
    """The day ``app`` is judged on.

    Without a date: today, or the receipt date for an application received after today (a
    dry run of next year's application). A given date before the policy's first day, or before
    the receipt date, is refused naming both dates.
    """
    first_day = area_of(app.kind).first_day
    if given is None:
        return max(today or date.today(), app.received)
    if given < first_day:
        raise IntakeError(option, f"{given}: reglerna har inga värden före {first_day} (policyn gäller från "
                          f"{first_day}); ange ett beslutsdatum från och med {max(first_day, app.received)}")
    if given < app.received:
        raise IntakeError(option, f"beslutsdatum {given} är före ansökans mottagandedatum {app.received} "
                          f"({app.application_id}); ett beslut kan inte fattas före mottagandet")
    return given


def check_day(day: date, received: date, what: str, option: str = "--date") -> date:
    """A day of a stored case's step (a decision, a completion) that may not precede its receipt."""
    if day < received:
        raise IntakeError(option, f"{what} {day} är före ärendets mottagandedatum {received}; ange ett datum "
                          f"från och med {received}")
    return day


def check_round_date(requests, given: date | None, today: date | None = None, option: str = "--date") -> date:
    """The day a round file is judged on: every request's own rule, so never before the latest receipt."""
    days = [check_decision_date(r, given, today, option) for r in requests]
    return given if given is not None else max(days)
