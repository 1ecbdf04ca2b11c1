"""What-if: the stored applications decided with a proposed rules tree; nothing is stored.

For every case with a proposal in the period, its latest proposal is the "before" (as it
was decided, with the rules of its version) and the same application revision decided on
the same date with the proposed rules is the "after". The report counts the transitions
(``bifall→delvis_bifall``), sums the granted money before and after, and keeps a sample of
changed cases with the decisive reasons before and after.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from engine.area import Area
from engine.intake import parse_application
from engine.registry import title_of
from engine.yamlsource import FolderSource

from .replay import not_decided_again


@dataclass
class Changed:
    case_id: int
    application_id: str
    decision_date: str
    before_outcome: str
    after_outcome: str
    before_amount: int | None
    after_amount: int | None
    before_reasons: list[str]
    after_reasons: list[str]


@dataclass
class WhatIfReport:
    rules_dir: str
    versions: dict[str, str]  # area -> version of the proposed tree
    cases: int = 0
    changed: int = 0
    transitions: dict[str, int] = field(default_factory=dict)  # "bifall→delvis_bifall" -> n (changes only)
    unchanged_outcomes: dict[str, int] = field(default_factory=dict)
    amount_changed: int = 0
    money_before: int = 0
    money_after: int = 0
    sample: list[Changed] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    # CSI cases whose latest proposal came from a placement round: one request alone cannot be
    # decided again as the round decided it, so they are left out and counted.
    round_cases: int = 0

    def to_dict(self) -> dict:
        out = asdict(self)
        out["money_difference"] = self.money_after - self.money_before
        return out


def _latest_proposals(session: Session, date_from: date | None, date_to: date | None):
    from cases.models import ApplicationRecord, Case, DecisionRecord

    latest = select(func.max(DecisionRecord.id)).where(DecisionRecord.kind == "proposal")
    if date_from:
        latest = latest.where(DecisionRecord.decision_date >= date_from)
    if date_to:
        latest = latest.where(DecisionRecord.decision_date <= date_to)
    latest = latest.group_by(DecisionRecord.case_id)
    query = (select(DecisionRecord, ApplicationRecord.raw, Case.application_id)
             .join(ApplicationRecord, DecisionRecord.application_row_id == ApplicationRecord.id)
             .join(Case, DecisionRecord.case_id == Case.id)
             .where(DecisionRecord.id.in_(latest)).order_by(DecisionRecord.id))
    return session.exec(query).all()


def _reasons_stored(session: Session, decision_id: int) -> list[str]:
    from cases.models import FindingRecord

    rows = session.exec(select(FindingRecord).where(FindingRecord.decision_id == decision_id,
                                                    FindingRecord.decisive.is_(True))
                        .order_by(FindingRecord.rule_id)).all()
    return [f"{f.rule_id}: {f.text}" for f in rows]


def _reasons_fresh(decision) -> list[str]:
    return [f"{f.rule_id}: {f.text}" for f in decision.findings if f.decisive]


_AREAS: dict[tuple[str, str], Area] = {}  # (rules folder, area) -> the proposed area, per process


def _proposed_area(rules_dir: str, name: str) -> Area:
    key = (rules_dir, name)
    if key not in _AREAS:
        _AREAS[key] = Area(name, FolderSource(rules_dir))
    return _AREAS[key]


GROUP = 50  # cases a worker is handed at a time


def _decide_again(tasks: list[tuple]) -> list[tuple]:
    """Cases decided with the proposed rules, a few at a time stage by stage (``in_stages``: read
    them, then decide them): per case ("ok", outcome, amount, reasons) or ("error", problem).
    One case must not stop the rest: its problem is reported in its place, counted apart."""
    from engine.parallel import in_stages

    entries = [list(task) for task in tasks]  # (rules folder, area, raw, case id, date), then what each stage makes

    def read(entry):
        rules_dir, name, raw, case_id, _ = entry
        entry.append((_proposed_area(rules_dir, name), parse_application(raw, f"ärende {case_id}")))

    def decide(entry):
        area, app = entry.pop()
        entry.append(area.decide(app, entry[4]))

    failed = in_stages(entries, [((Exception,), read), ((Exception,), decide)])
    return [("error", not_decided_again(failed[i][0])) if i in failed
            else ("ok", entry[-1].outcome, entry[-1].amount_sek, _reasons_fresh(entry[-1]))
            for i, entry in enumerate(entries)]


def whatif(session: Session, rules_dir: Path | str, date_from: date | None = None, date_to: date | None = None,
           sample_size: int = 5, workers: int = 1) -> WhatIfReport:
    """Decide the latest proposal of every case in the period again with the rules in ``rules_dir``.

    ``workers`` processes decide; the report is the same whatever their number.
    """
    from engine.parallel import ordered_map

    rules_dir = str(rules_dir)
    _AREAS.clear()  # the folder is read afresh each run (workers, forked below, share what is read here)
    source = FolderSource(rules_dir)
    report = WhatIfReport(rules_dir, {})
    from cases.audit import round_proposal_ids

    transitions: Counter = Counter()
    unchanged: Counter = Counter()
    rounds = round_proposal_ids(session)
    todo = []
    for record, raw, application_id in _latest_proposals(session, date_from, date_to):
        if record.id in rounds:
            report.round_cases += 1
            continue
        name = record.ruleset_area
        if name not in report.versions:
            if not source.paths(name):
                todo.append((record, application_id, None))  # reported in its place below
                continue
            report.versions[name] = _proposed_area(rules_dir, name).version
        todo.append((record, application_id, (rules_dir, name, raw, record.case_id, record.decision_date)))
    tasks = [task for _, _, task in todo if task is not None]
    groups = [tasks[i:i + GROUP] for i in range(0, len(tasks), GROUP)]
    fresh_of = (fresh for group in ordered_map(_decide_again, groups, workers, min_items=4) for fresh in group)
    for record, application_id, task in todo:
        if task is None:
            report.errors.append({"case_id": record.case_id, "problem": "det föreslagna regelverket har inga regler "
                                                                        f"för {title_of(record.ruleset_area)}"})
            continue
        report.cases += 1
        fresh = next(fresh_of)
        if fresh[0] == "error":
            report.errors.append({"case_id": record.case_id, "problem": fresh[1]})
            continue
        _, outcome, amount, reasons = fresh
        before, after = record.outcome, outcome
        report.money_before += record.amount_sek or 0
        report.money_after += amount or 0
        amount_changed = (record.amount_sek or 0) != (amount or 0)
        report.amount_changed += amount_changed
        if before == after and not amount_changed:
            unchanged[before] += 1
            continue
        report.changed += 1
        transitions[f"{before}→{after}"] += 1
        if len(report.sample) < sample_size:
            report.sample.append(Changed(record.case_id, application_id, record.decision_date.isoformat(),
                                         before, after, record.amount_sek, amount,
                                         _reasons_stored(session, record.id), reasons))
    report.transitions = dict(transitions.most_common())
    report.unchanged_outcomes = dict(unchanged.most_common())
    return report
