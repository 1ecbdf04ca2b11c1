"""Figures over the stored cases: outcomes, money granted, processing times against the target."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Callable

from sqlalchemy import select

from engine.processing import median, percentile

from .models import DECISION, OPEN_STATES, Case, DecisionRecord, EventRecord
from .processing import days_of, pauses_by_case
from .store import Store


def overview(store: Store, on: date, target_days: Callable[[date], int]) -> dict:
    """The administration's follow-up figures as of a date.

    ``target_days(day)`` is the processing-time target in force on a day (a rules parameter
    the caller reads). A decided case is past the target when receipt to decision took
    longer than the target on the decision day; an open case when it has waited longer.
    Days are processing days (``engine.processing``): the applicant's turns do not count.
    """
    with store.read() as session:
        cases = session.execute(select(Case)).scalars().all()
        finals = session.execute(select(DecisionRecord).where(DecisionRecord.kind == DECISION)
                                 .order_by(DecisionRecord.id)).scalars().all()
        completions = Counter(session.execute(select(EventRecord.case_id).where(
            EventRecord.type == "completion_requested")).scalars())
        pauses = pauses_by_case(session)
    # The last decision of a case counts; a decision that asked for completion leaves it open.
    final_of = {d.case_id: d for d in finals if d.completion_deadline is None}
    above = sum(1 for d in final_of.values() if d.computed_sek is not None and (d.amount_sek or 0) > d.computed_sek)
    by_status = Counter(c.status for c in cases)
    outcomes = Counter(d.outcome for d in final_of.values())
    granted_by_year: dict[int, int] = {}
    for d in final_of.values():
        if d.amount_sek:
            granted_by_year[d.decision_date.year] = granted_by_year.get(d.decision_date.year, 0) + d.amount_sek
    overrides = Counter(d.override_reason_code for d in final_of.values() if d.override_reason_code)
    days, past_decided, past_open = [], 0, 0
    for c in cases:
        d = final_of.get(c.id)
        if d is not None:
            waited = days_of(c, d.decision_date, pauses)
            days.append(waited)
            past_decided += waited > target_days(d.decision_date)
        elif c.status in OPEN_STATES:
            past_open += days_of(c, on, pauses) > target_days(on)
    return {
        "as_of": on.isoformat(),
        "cases": len(cases),
        "by_status": dict(sorted(by_status.items())),
        "decisions_by_outcome": dict(sorted(outcomes.items())),
        "granted_sek_by_decision_year": dict(sorted(granted_by_year.items())),
        "granted_sek_total": sum(granted_by_year.values()),
        "overrides": sum(overrides.values()),
        "overrides_by_reason_code": dict(sorted(overrides.items())),
        "grants_above_computed": above,
        "completion_requests": sum(completions.values()),
        "cases_with_completion": len(completions),
        "days_to_decision_median": median(days),
        "days_to_decision_p90": percentile(days, 90),
        "past_target_decided": past_decided,
        "past_target_open": past_open,
        "target_days": target_days(on),
    }
