"""Gallring: removing the pupil's diagnoses and need description when the city's plan says so.

The plan is dated data (``rules/retention/dokumenthanteringsplan.yaml``): per rule of the
plan, how many years after the later of the day the decision became final and the end of
the granted period, and which fields of which kind of case. Removal replaces the words with
``GALLRAD`` and a list of diagnoses with ``[GALLRAD]``: what the rules looked at (a
description was given, diagnoses were stated) stays true, so replay reproduces every
outcome and amount, and nothing else of the application changes.

Each removal is one event of the case's chain (``gallring``: the plan's rule, the fields,
and for each application revision the sha256 before and after). Events carry only the
sha256 of an application, never its content, so the chain is untouched by the removal, and
``expected_sha256`` lets the audit follow a revision's hash from what was received to what
was kept.
"""
from __future__ import annotations

import calendar
import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import delete, select
from sqlmodel import Session

from . import store as S
from .errors import InputRefused
from .events import append_event
from .models import BESLUTAD, DECISION, ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord
from .removed import RemovedCase, removal_hash

PLAN_FILE = "retention/dokumenthanteringsplan.yaml"
CASE = "case"  # the "field" of a rule that removes the whole case
GALLRAD = "[gallrad]"  # what stands where the words were: not blank, so "a description was given" stays true
EVENT, ACTOR = "gallring", "gallring"


@dataclass(frozen=True)
class PlanRule:
    """One rule of the document management plan."""

    id: str
    title_sv: str
    years_after: int
    fields: dict[str, tuple[str, ...]]  # case kind -> field paths removed
    labels: dict[str, str]  # field path -> its Swedish name
    whole_case: bool = False  # the rule removes the case itself (``removes: case``), not fields of it


def plan(on: date, root: Path | None = None) -> list[PlanRule]:
    """The plan's rules in force on a date (the latest dated version on or before it)."""
    from engine.yamlsource import default_rules_root

    path = (root or default_rules_root()) / PLAN_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        values = {date.fromisoformat(str(k)): v["value"] for k, v in data["values"].items()}
        in_force = [d for d in values if d <= on]
        if not in_force:
            raise InputRefused("--on", f"ingen dokumenthanteringsplan gäller {on} ({path}); den första gäller från "
                                       f"{min(values)}")
        labels = {str(k): str(v) for k, v in (data.get("field_labels") or {}).items()}
        return [PlanRule(str(r["id"]), str(r["title_sv"]), int(r["years_after"]),
                         {kind: tuple(paths or ()) for kind, paths in (r.get("kinds") or {}).items()}, labels,
                         r.get("removes", "fields") == "case")
                for r in values[max(in_force)]]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputRefused(str(path), f"dokumenthanteringsplanen kan inte läsas ({type(error).__name__}: {error}); "
                           "väntat: values: {ÅÅÅÅ-MM-DD: {value: [{id, title_sv, years_after, kinds}]}}") from None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, calendar.monthrange(year, number)[1])


# -- what is due ----------------------------------------------------------------------------


@dataclass
class Due:
    """A decided case, when its personal data falls due under a rule of the plan, and what remains."""

    case_id: int
    application_id: str
    kind: str
    decided_on: date
    period_end: date | None
    due_on: date
    rule_id: str
    fields: list[str]  # the fields that still hold personal data
    fields_sv: list[str]

    def to_dict(self) -> dict:
        return {"case_id": self.case_id, "application_id": self.application_id, "kind": self.kind,
                "decided_on": self.decided_on.isoformat(),
                "period_end": self.period_end.isoformat() if self.period_end else None,
                "due_on": self.due_on.isoformat(), "rule": self.rule_id, "fields": self.fields,
                "fields_sv": self.fields_sv}


def redact(raw: dict, paths: tuple[str, ...]) -> tuple[dict, list[str]]:
    """The application with the fields' personal data replaced, and the paths that changed."""
    out, changed = copy.deepcopy(raw), []
    for path in paths:
        *parents, name = path.split(".")
        holder = out
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or name not in holder:
            continue
        value = holder[name]
        if isinstance(value, str) and value.strip() and value != GALLRAD:
            holder[name] = GALLRAD
        elif isinstance(value, list) and value and value != [GALLRAD]:
            holder[name] = [GALLRAD]
        else:
            continue
        changed.append(path)
    return out, changed


def _due(session: Session, case: Case, rule: PlanRule) -> Due | None:
    """When a decided case's fields under ``rule`` fall due (None: not decided, or nothing to remove)."""
    paths = rule.fields.get(case.kind) or ()
    if case.status != BESLUTAD or not paths:
        return None
    decision = S.latest(session, case.id, DECISION)
    if decision is None:
        return None
    period_end = month_end(decision.granted_end) if decision.granted_end else None
    start = max(decision.decision_date, period_end) if period_end else decision.decision_date
    holding = [CASE] if rule.whole_case else \
        sorted({p for app in S.applications_of(session, case.id) for p in redact(app.raw or {}, paths)[1]})
    return Due(case.id, case.application_id, case.kind, decision.decision_date, period_end,
               add_years(start, rule.years_after), rule.id, holding, [rule.labels.get(p, p) for p in holding])


@dataclass
class Survey:
    """The decided cases by where they stand under the plan on a day."""

    due: list[Due]
    not_yet: list[Due]
    already_removed: int


def survey(session: Session, on: date, rules: list[PlanRule]) -> Survey:
    """Every decided case whose kind the plan names: due on ``on``, not yet due, or already removed."""
    kinds = {kind for rule in rules for kind, paths in rule.fields.items() if paths}
    due, not_yet, removed = [], [], 0
    cases = session.execute(select(Case).where(Case.status == BESLUTAD, Case.kind.in_(sorted(kinds)))
                            .order_by(Case.id)).scalars()
    for case in cases:
        items = [item for item in (_due(session, case, rule) for rule in rules) if item is not None]
        whole = [item for item in items if item.fields == [CASE] and item.due_on <= on]
        for item in whole or items:  # a case due to go whole needs no fields removed first
            if not item.fields:
                removed += 1
            elif item.due_on <= on:
                due.append(item)
            else:
                not_yet.append(item)
    return Survey(due, not_yet, removed)


# -- removing -------------------------------------------------------------------------------


def remove(session: Session, case_id: int, on: date, rule: PlanRule) -> list[str]:
    """Remove a due case's personal data (in the caller's transaction); the fields removed.

    Checked again inside the transaction, so a second run, or one racing this one, removes
    nothing and records nothing.
    """
    case = session.get(Case, case_id)
    item = _due(session, case, rule) if case is not None else None
    if item is None or not item.fields or item.due_on > on:
        return []
    if rule.whole_case:
        remove_case(session, case, item, on)
        return item.fields
    revisions = []
    for app in S.applications_of(session, case.id):
        new, changed = redact(app.raw or {}, rule.fields[case.kind])
        if changed:
            before, app.raw = app.sha256, new
            app.sha256 = S.sha256_of(new)
            revisions.append({"revision": app.revision, "sha256_before": before, "sha256": app.sha256})
    append_event(session, case, EVENT, ACTOR, {"rule": rule.id, "on": on.isoformat(), "removed": item.fields,
                                               "due_on": item.due_on.isoformat(), "revisions": revisions})
    return item.fields


# -- removing a whole case ------------------------------------------------------------------


def remove_case(session: Session, case: Case, item: Due, on: date) -> None:
    """Delete a case with everything of it, keep a ``RemovedCase`` and enter the removal in the ledger."""
    from .ledger import enter

    row = RemovedCase(application_id=case.application_id, case_id=case.id, kind=case.kind, rule=item.rule_id,
                      removed_on=on, due_on=item.due_on, event_count=case.event_count, event_head=case.event_head,
                      hash="")
    row.hash = removal_hash(row)
    session.add(row)
    enter(session, case.application_id, case.event_count + 1, row.hash)
    decisions = select(DecisionRecord.id).where(DecisionRecord.case_id == case.id)
    session.execute(delete(FindingRecord).where(FindingRecord.decision_id.in_(decisions)))
    # Decisions point at the proposals they decide: the ones pointing go first.
    session.execute(delete(DecisionRecord).where(DecisionRecord.case_id == case.id,
                                                 DecisionRecord.proposal_id.is_not(None)))
    session.execute(delete(DecisionRecord).where(DecisionRecord.case_id == case.id))
    session.execute(delete(ApplicationRecord).where(ApplicationRecord.case_id == case.id))
    session.execute(delete(EventRecord).where(EventRecord.case_id == case.id))
    session.delete(case)


# -- what the audit follows ----------------------------------------------------------------


def removals(session: Session) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """(case, revision) -> the (sha256 before, sha256 after) of each removal, in chain order."""
    out: dict[tuple[int, int], list[tuple[str, str]]] = {}
    query = select(EventRecord).where(EventRecord.type == EVENT).order_by(EventRecord.case_id, EventRecord.seq)
    for event in session.execute(query).scalars():
        for item in (event.payload or {}).get("revisions", []):
            out.setdefault((event.case_id, item.get("revision")), []).append((item.get("sha256_before"),
                                                                             item.get("sha256")))
    return out


def expected_sha256(received: str | None, removed: list[tuple[str, str]]) -> tuple[str | None, bool]:
    """A revision's sha256 after its removals, and whether each removal started from the one before."""
    current, linked = received, True
    for before, after in removed:
        linked = linked and before == current
        current = after
    return current, linked

