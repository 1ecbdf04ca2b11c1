"""Processing times: days from receipt to decision, completion rounds, cases past the target, money.

The numbers the administration lacked: per group (all, district, school or month of
decision), the median and 90th percentile of days from receipt to the caseworker's final
decision, completion rounds per case, decided cases that took longer than the target
(parameter ``processing_target_days`` in force on the decision date), open cases already
past it, and the money granted by the final decisions.

Percentiles are nearest-rank: the p-th percentile is the smallest value with at least p %
of the values at or below it, so it is always a day count that occurred.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

BY = ("district", "school", "month")


def percentile(values: list[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class GroupStats:
    key: str
    cases: int = 0
    decided: int = 0
    open: int = 0
    median_days: int | None = None
    p90_days: int | None = None
    max_days: int | None = None
    completion_rounds_mean: float = 0.0
    completion_rounds_max: int = 0
    cases_with_completion: int = 0
    past_target: int = 0
    open_past_target: int = 0
    granted_sek: int = 0
    granted_cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass
class StatsReport:
    by: str | None
    today: str
    groups: list[GroupStats]
    total: GroupStats

    def to_dict(self) -> dict:
        return {"by": self.by, "today": self.today, "total": asdict(self.total),
                "groups": [asdict(g) for g in self.groups]}


def _target(day: date, kind: str) -> int | None:
    from engine.area import processing_target

    try:
        return processing_target(kind, day)
    except Exception:  # an area whose rules are not there has no target to judge by
        return None


def stats(session: Session, by: str | None = None, date_from: date | None = None, date_to: date | None = None,
          today: date | None = None) -> StatsReport:
    """Processing-time figures for cases received in the period, grouped ``by`` district, school or month."""
    from cases.models import Case, DecisionRecord, EventRecord

    today = today or date.today()
    query = select(Case)
    if date_from:
        query = query.where(Case.received >= date_from)
    if date_to:
        query = query.where(Case.received <= date_to)
    cases = session.exec(query.order_by(Case.id)).all()
    ids = [c.id for c in cases]
    rounds: dict[int, int] = defaultdict(int)
    for case_id, n in session.exec(select(EventRecord.case_id, func.count()).where(EventRecord.type == "completion_requested")
                                   .group_by(EventRecord.case_id)):
        rounds[case_id] = n
    final: dict[int, object] = {}
    latest = select(func.max(DecisionRecord.id)).where(DecisionRecord.kind == "decision").group_by(DecisionRecord.case_id)
    for record in session.exec(select(DecisionRecord).where(DecisionRecord.id.in_(latest))):
        final[record.case_id] = record
    del ids

    groups: dict[str, list] = defaultdict(list)
    for case in cases:
        record = final.get(case.id)
        decided_on = case.decided_on or (record.decision_date if record is not None and case.status == "beslutad" else None)
        if by == "district":
            key = case.district
        elif by == "school":
            key = f"{case.school_name} ({case.school_unit_code})"
        elif by == "month":
            key = (decided_on or case.received).strftime("%Y-%m")
        else:
            key = "alla"
        groups[key].append((case, decided_on, record))

    def summarise(key: str, members: list) -> GroupStats:
        g = GroupStats(key)
        days, all_rounds = [], []
        for case, decided_on, record in members:
            g.cases += 1
            all_rounds.append(rounds.get(case.id, 0))
            target = _target(decided_on or today, case.kind)
            if decided_on is not None:
                g.decided += 1
                waited = (decided_on - case.received).days
                days.append(waited)
                if target is not None and waited > target:
                    g.past_target += 1
            else:
                g.open += 1
                if target is not None and (today - case.received).days > target:
                    g.open_past_target += 1
            if record is not None and case.status == "beslutad":
                g.outcomes[record.outcome] = g.outcomes.get(record.outcome, 0) + 1
                if record.amount_sek:
                    g.granted_sek += record.amount_sek
                    g.granted_cases += 1
        g.median_days, g.p90_days = percentile(days, 50), percentile(days, 90)
        g.max_days = max(days) if days else None
        g.completion_rounds_mean = round(sum(all_rounds) / len(all_rounds), 2) if all_rounds else 0.0
        g.completion_rounds_max = max(all_rounds) if all_rounds else 0
        g.cases_with_completion = sum(1 for r in all_rounds if r)
        return g

    everyone = [m for members in groups.values() for m in members]
    return StatsReport(by, today.isoformat(), [summarise(k, groups[k]) for k in sorted(groups)] if by else [],
                       summarise("alla", everyone))
