"""Gallring as the operator runs it: survey the store on a day, then remove case by case.

Each case is removed in its own transaction, so an interrupted run keeps what it finished
and the next run (the same command again) does the rest; a case done already is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cases import retention as R
from cases.store import Store


@dataclass
class RetentionReport:
    on: date
    dry_run: bool
    plan: list[R.PlanRule]
    due: list[R.Due]
    not_yet: list[R.Due]
    already_removed: int
    removed: list[R.Due] = field(default_factory=list)

    @property
    def next_due(self) -> date | None:
        return min((d.due_on for d in self.not_yet), default=None)

    def to_dict(self) -> dict:
        return {"on": self.on.isoformat(), "dry_run": self.dry_run,
                "plan": [{"id": r.id, "title_sv": r.title_sv, "years_after": r.years_after,
                          "fields": {k: list(v) for k, v in r.fields.items()}} for r in self.plan],
                "due": [d.to_dict() for d in self.due], "removed": [d.to_dict() for d in self.removed],
                "not_yet_due": len(self.not_yet),
                "next_due_on": self.next_due.isoformat() if self.next_due else None,
                "already_removed": self.already_removed}


def gallra(store: Store, on: date, dry_run: bool = False, rules_root: Path | None = None) -> RetentionReport:
    """What the plan in force on ``on`` says is due, removed unless ``dry_run`` (which writes nothing)."""
    rules = R.plan(on, rules_root)
    if dry_run:  # opened without upgrading (a dry run writes nothing): the schema must be current already
        from cases.errors import StoreUnavailable
        from cases.migrations import schema_status

        status = schema_status(store)
        if not status.current:
            raise StoreUnavailable(f"databasen har schemaversion {status.version}, programmet {len(status.known)}: "
                                   "kör stod db upgrade först (en provkörning ändrar ingenting)")
    with store.read() as session:
        found = R.survey(session, on, rules)
    report = RetentionReport(on, dry_run, rules, found.due, found.not_yet, found.already_removed)
    if dry_run:
        return report
    by_id = {rule.id: rule for rule in rules}
    for item in found.due:
        with store.write() as session:  # one case, one transaction: an interrupted run keeps what it did
            if R.remove(session, item.case_id, on, by_id[item.rule_id]):
                report.removed.append(item)
    return report
