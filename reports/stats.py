"""Processing times: days from receipt to decision, completion rounds, cases past the target, money.

The numbers the administration lacked: per group (all, district, school or month of
decision), the median and 90th percentile of days from receipt to the caseworker's final
decision, completion rounds per case, decided cases that took longer than the target
(parameter ``processing_target_days`` in force on the decision date), open cases already
past it, and the money granted by the final decisions.

Days are processing days and percentiles nearest-rank, both as ``engine.processing``
defines them (the one definition the queue and VS-I2 use too): the applicant's turns after a
``komplettering`` do not count, and a percentile is always a day count that occurred.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from engine.processing import percentile  # noqa: F401  (the one definition; tests import it from here)

BY = ("district", "school", "month")




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
    # Overridden grants above what the engine computes for the same level and period (flagged).
    granted_above_computed: int = 0
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

    return processing_target(kind, day)


@dataclass
class Member:
    """One case as the figures see it: when it was decided, its final decision, its completion rounds."""

    case: object
    decided_on: date | None
    record: object
    rounds: int
    days: int  # processing days up to the decision, or up to ``today`` for an open case


def _key(by: str | None, m: Member) -> str:
    if by == "district":
        return m.case.district
    if by == "school":
        return f"{m.case.school_name} ({m.case.school_unit_code})"
    if by == "month":
        return (m.decided_on or m.case.received).strftime("%Y-%m")
    return "alla"


def summarise(key: str, members: list[Member], today: date) -> GroupStats:
    """The figures of one group of cases (the one processing-time statistic: ``engine.processing``)."""
    g = GroupStats(key)
    days = [m.days for m in members if m.decided_on is not None]
    for m in members:
        g.cases += 1
        target = _target(m.decided_on or today, m.case.kind)
        past = target is not None and m.days > target
        if m.decided_on is not None:
            g.decided += 1
            g.past_target += past
        else:
            g.open += 1
            g.open_past_target += past
        record = m.record
        if record is not None and m.case.status == "beslutad":
            g.outcomes[record.outcome] = g.outcomes.get(record.outcome, 0) + 1
            if record.amount_sek:
                g.granted_sek += record.amount_sek
                g.granted_cases += 1
                g.granted_above_computed += record.computed_sek is not None and record.amount_sek > record.computed_sek
    rounds = [m.rounds for m in members]
    g.median_days, g.p90_days = percentile(days, 50), percentile(days, 90)
    g.max_days = max(days) if days else None
    g.completion_rounds_mean = round(sum(rounds) / len(rounds), 2) if rounds else 0.0
    g.completion_rounds_max = max(rounds) if rounds else 0
    g.cases_with_completion = sum(1 for r in rounds if r)
    return g


def members(session: Session, date_from: date | None = None, date_to: date | None = None,
            today: date | None = None) -> list[Member]:
    """Every case received in the period as the figures see it, by case number.

    The one reading of the store behind ``stats`` and the equity follow-up (``reports.equity``),
    so the two count the same cases, decisions, days and money.
    """
    from cases.models import Case, DecisionRecord, EventRecord
    from cases.processing import days_of, pauses_by_case

    today = today or date.today()
    query = select(Case)
    if date_from:
        query = query.where(Case.received >= date_from)
    if date_to:
        query = query.where(Case.received <= date_to)
    cases = session.exec(query.order_by(Case.id)).all()
    rounds = dict(session.exec(select(EventRecord.case_id, func.count()).where(
        EventRecord.type == "completion_requested").group_by(EventRecord.case_id)).all())
    latest = select(func.max(DecisionRecord.id)).where(DecisionRecord.kind == "decision").group_by(DecisionRecord.case_id)
    final = {r.case_id: r for r in session.exec(select(DecisionRecord).where(DecisionRecord.id.in_(latest)))}
    pauses = pauses_by_case(session, [c.id for c in cases])
    out = []
    for case in cases:
        record = final.get(case.id)
        decided_on = case.decided_on or (record.decision_date if record is not None and case.status == "beslutad" else None)
        out.append(Member(case, decided_on, record, rounds.get(case.id, 0), days_of(case, decided_on or today, pauses)))
    return out


def stats(session: Session, by: str | None = None, date_from: date | None = None, date_to: date | None = None,
          today: date | None = None) -> StatsReport:
    """Processing-time figures for cases received in the period, grouped ``by`` district, school or month."""
    today = today or date.today()
    groups: dict[str, list[Member]] = defaultdict(list)
    for member in members(session, date_from, date_to, today):
        groups[_key(by, member)].append(member)
    everyone = [m for members_ in groups.values() for m in members_]
    return StatsReport(by, today.isoformat(), [summarise(k, groups[k], today) for k in sorted(groups)] if by else [],
                       summarise("alla", everyone, today))
