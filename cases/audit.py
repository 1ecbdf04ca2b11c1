"""Read-only queries for auditors over the case store: rule figures, overrides, event chains.

Nothing here writes. The chain itself is verified by the store's own ``cases.events``
(one definition of the hash); this module adds the counts an audit report needs.
"""
from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Iterator

from sqlalchemy import and_, func
from sqlmodel import Session, select

from .events import ChainProblem
from .models import Case, DecisionRecord, EventRecord, FindingRecord

PROPOSAL, DECISION = "proposal", "decision"


@contextlib.contextmanager
def session_scope(session_or_url: Session | str | None) -> Iterator[Session]:
    """A read session on a store (path, URL, or the default ``./stod.db``), or the caller's own."""
    if isinstance(session_or_url, Session):
        yield session_or_url
        return
    from .store import open_store

    store = open_store(session_or_url)
    try:
        with store.read() as session:
            yield session
    finally:
        store.dispose()


def _period(query, column, date_from: date | None, date_to: date | None):
    if date_from is not None:
        query = query.where(column >= date_from)
    if date_to is not None:
        query = query.where(column <= date_to)
    return query


@dataclass
class RuleFigures:
    """How one rule came out in stored proposals, and the overrides of proposals it decided."""

    met: int = 0
    not_met: int = 0
    not_applicable: int = 0
    info: int = 0
    decisive: int = 0
    overrides: int = 0
    override_codes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def rule_figures(session: Session, date_from: date | None = None, date_to: date | None = None,
                 area: str | None = None) -> dict[str, RuleFigures]:
    """Per rule id: met / not met / not applicable / decisive counts over proposals decided in
    the period, and overrides of proposals where the rule was decisive (by reason code)."""
    out: dict[str, RuleFigures] = defaultdict(RuleFigures)
    query = (select(FindingRecord.rule_id, FindingRecord.status, FindingRecord.decisive, func.count())
             .join(DecisionRecord, FindingRecord.decision_id == DecisionRecord.id)
             .where(DecisionRecord.kind == PROPOSAL))
    query = _period(query, DecisionRecord.decision_date, date_from, date_to)
    if area:
        query = query.where(DecisionRecord.ruleset_area == area)
    query = query.group_by(FindingRecord.rule_id, FindingRecord.status, FindingRecord.decisive)
    for rule_id, status, decisive, count in session.exec(query):
        figures = out[rule_id]
        if hasattr(figures, status):
            setattr(figures, status, getattr(figures, status) + count)
        if decisive:
            figures.decisive += count
    for rule_id, code, count in _override_rows(session, date_from, date_to, area):
        figures = out[rule_id]
        figures.overrides += count
        figures.override_codes[code] = figures.override_codes.get(code, 0) + count
    return dict(out)


def _override_rows(session, date_from, date_to, area):
    proposal = DecisionRecord.__table__.alias("proposal")
    decision = DecisionRecord.__table__.alias("decision")
    findings = FindingRecord.__table__
    query = (select(findings.c.rule_id, decision.c.override_reason_code, func.count())
             .select_from(decision)
             .join(proposal, decision.c.proposal_id == proposal.c.id)
             .join(findings, and_(findings.c.decision_id == proposal.c.id, findings.c.decisive.is_(True)))
             .where(decision.c.kind == DECISION, decision.c.override_reason_code.is_not(None)))
    query = _period(query, decision.c.decision_date, date_from, date_to)
    if area:
        query = query.where(proposal.c.ruleset_area == area)
    query = query.group_by(findings.c.rule_id, decision.c.override_reason_code)
    return list(session.exec(query))


def overrides(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    """Every override in the period: case, proposal and decision outcomes, reason code, rules, and
    whether a granted amount is above what the engine computes for the same level and period."""
    proposal = DecisionRecord.__table__.alias("proposal")
    decision = DecisionRecord.__table__.alias("decision")
    query = (select(decision.c.case_id, decision.c.decision_date, proposal.c.outcome, decision.c.outcome,
                    decision.c.override_reason_code, decision.c.decided_by, proposal.c.decisive_rules,
                    proposal.c.amount_sek, decision.c.amount_sek, decision.c.computed_sek)
             .select_from(decision).join(proposal, decision.c.proposal_id == proposal.c.id)
             .where(decision.c.kind == DECISION, decision.c.override_reason_code.is_not(None))
             .order_by(decision.c.decision_date, decision.c.case_id))
    query = _period(query, decision.c.decision_date, date_from, date_to)
    keys = ("case_id", "decision_date", "proposal_outcome", "decision_outcome", "reason_code", "decided_by",
            "proposal_decisive_rules", "proposal_amount_sek", "decision_amount_sek", "computed_sek")
    out = [dict(zip(keys, row)) for row in session.exec(query)]
    for row in out:  # the policy: a grant above what the engine computes for its level and period is flagged
        row["above_computed"] = row["computed_sek"] is not None and (row["decision_amount_sek"] or 0) > row["computed_sek"]
    return out


def count_proposals(session: Session, date_from: date | None = None, date_to: date | None = None,
                    area: str | None = None) -> int:
    query = _period(select(func.count()).select_from(DecisionRecord).where(DecisionRecord.kind == PROPOSAL),
                    DecisionRecord.decision_date, date_from, date_to)
    if area:
        query = query.where(DecisionRecord.ruleset_area == area)
    return session.exec(query).one()


# --- the tamper-evident log -------------------------------------------------------------

@dataclass
class VerifyReport:
    """The result of walking every case's event chain (``cases.events.verify_events``)."""

    cases: int
    events: int
    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"cases": self.cases, "events": self.events, "ok": self.ok,
                "problems": [{"case_id": p.case_id, "application_id": p.application_id, "seq": p.seq,
                              "event_id": p.event_id, "problem": p.problem} for p in self.problems]}


@dataclass(frozen=True)
class RecordProblem(ChainProblem):
    """A stored row that disagrees with the event chain (the chain is the witness)."""

    def __str__(self) -> str:
        where = f"händelse {self.seq}" if self.seq is not None else "utan händelse"
        return f"ärende {self.case_id} ({self.application_id}), {where}: {self.problem}"


# The decision fields each event type records, and how a row shows them.
_DECISION_FIELDS = {
    "proposal": ("outcome", "decisive_rules", "amount_sek", "level", "granted_period", "text_sha256"),
    "confirmed": ("outcome", "amount_sek", "text_sha256"),
    "overridden": ("outcome", "amount_sek", "reason_code", "reason", "text_sha256"),
}


def _row_value(record: DecisionRecord, name: str):
    if name == "reason_code":
        return record.override_reason_code
    if name == "reason":
        return record.override_reason
    if name == "text_sha256":
        from .ledger import evidence_hash

        return evidence_hash(record.text)
    if name == "granted_period":
        return record.granted_period
    value = getattr(record, name)
    return list(value) if name == "decisive_rules" and value is not None else value


def verify_records(session: Session) -> list[RecordProblem]:
    """Decisions and application revisions checked against the chained events that recorded them.

    The chain proves the events; this proves the rows they speak of: a decision's outcome,
    amount, decisive rules, level, period and reason code as its events recorded them, every
    decision row recorded by an event, and every application revision's content matching the
    sha256 its event recorded.
    """
    from .models import ApplicationRecord
    from .retention import removals

    problems: list[RecordProblem] = []
    cases = {c.id: c for c in session.exec(select(Case))}
    decisions = {d.id: d for d in session.exec(select(DecisionRecord))}
    revisions = {(a.case_id, a.revision): a for a in session.exec(select(ApplicationRecord))}
    seen_decisions: set[int] = set()
    seen_revisions: set[tuple[int, int]] = set()
    removed = removals(session)

    def bad(case_id, event, problem):
        case = cases.get(case_id)
        problems.append(RecordProblem(case_id, case.application_id if case else "?",
                                      event.seq if event else None, event.id if event else None, problem))

    for event in session.exec(select(EventRecord).order_by(EventRecord.case_id, EventRecord.seq)):
        payload = event.payload or {}
        if event.type in _DECISION_FIELDS and "decision_id" in payload:
            seen_decisions.add(payload["decision_id"])
            for problem in _decision_problems(session, event, payload, decisions.get(payload["decision_id"])):
                bad(event.case_id, event, problem)
        if event.type in ("received", "documents_added") and "application_revision" in payload:
            key = (event.case_id, payload["application_revision"])
            seen_revisions.add(key)
            for problem in _revision_problems(key[1], revisions.get(key), payload, removed.get(key, [])):
                bad(event.case_id, event, problem)
    finals: dict[int, DecisionRecord] = {}
    for record in sorted(decisions.values(), key=lambda r: r.id):
        if record.kind == DECISION:
            finals[record.case_id] = record  # the case's latest decision
    for case in cases.values():
        final = finals.get(case.id)
        if case.decided_on is not None and (final is None or final.decision_date != case.decided_on):
            bad(case.id, None, f"ärendets beslutsdag {case.decided_on} är inte dagen för dess beslut "
                               f"({final.decision_date if final else 'inget beslut'}; raden är ändrad)")
    for record in decisions.values():
        if record.id not in seen_decisions and record.kind in (PROPOSAL, DECISION):
            bad(record.case_id, None, f"beslut {record.id} ({record.kind}, {record.outcome}) har ingen händelse "
                                      "i kedjan (raden är tillagd utanför handläggningen)")
    for key, row in revisions.items():
        if key not in seen_revisions:
            bad(row.case_id, None, f"ansökans version {row.revision} har ingen händelse i kedjan "
                                   "(tillagd utanför handläggningen)")
    return problems


def _decision_problems(session: Session, event: EventRecord, payload: dict,
                       record: DecisionRecord | None) -> list[str]:
    """How a decision row (and its findings) disagrees with the event that recorded it."""
    if record is None or record.case_id != event.case_id:
        return [f"beslut {payload['decision_id']} som händelsen ({event.type}) "
                "registrerade finns inte (raden är borttagen)"]
    out = []
    for name in _DECISION_FIELDS[event.type]:
        if name in payload and _row_value(record, name) != payload[name]:
            what = {"text_sha256": "beslutstexten", "reason": "motiveringen"}.get(name)
            out.append(f"beslut {record.id}: {what} stämmer inte med det som händelsen "
                       f"({event.type}) registrerade (texten är ändrad)" if what else
                       f"beslut {record.id}: {name} är {_row_value(record, name)!r} men "
                       f"händelsen ({event.type}) registrerade {payload[name]!r} (raden är ändrad)")
    from .ledger import record_hash

    if "record_sha256" in payload and record_hash(record) != payload["record_sha256"]:
        out.append(f"beslut {record.id}: beslutets uppgifter (datum, handläggare, nivå, period, tidsfrist, "
                   f"parametrar eller skäl) stämmer inte med det som händelsen ({event.type}) registrerade "
                   "(raden är ändrad)")
    if "findings_sha256" in payload and _findings_sha256(session, record.id) != payload["findings_sha256"]:
        out.append(f"beslut {record.id}: reglernas utfall (findings) stämmer inte med "
                   "det som händelsen registrerade (raderna är ändrade)")
    return out


def _findings_sha256(session: Session, decision_id: int) -> str:
    """The hash of a decision's stored findings, as the ledger computes it when they are recorded."""
    from .ledger import findings_hash

    rows = session.exec(select(FindingRecord).where(FindingRecord.decision_id == decision_id)).all()
    return findings_hash([{"rule_id": f.rule_id, "status": f.status, "decisive": f.decisive, "text": f.text}
                          for f in rows])


def _revision_problems(revision: int, row, payload: dict, removals: list[tuple[str, str]] = ()) -> list[str]:
    """How a stored application revision disagrees with the sha256 its event recorded.

    After gallring the kept revision is the one the last removal event recorded (``removals``:
    each removal's sha256 before and after, in chain order).
    """
    from .retention import expected_sha256
    from .store import sha256_of

    expected, linked = expected_sha256(payload.get("sha256"), list(removals))
    if row is None:
        return [f"ansökans version {revision} som händelsen registrerade finns inte"]
    if not linked:
        return [f"ansökans version {revision}: en gallring utgick inte från den version som registrerades före den "
                "(gallringshändelsen är ändrad)"]
    if row.sha256 != expected or sha256_of(row.raw) != expected:
        return [f"ansökans version {revision} stämmer inte med den sha256 som "
                "händelsen registrerade (ansökan är ändrad)"]
    return []


def verify(session: Session) -> VerifyReport:
    """Every changed, inserted or deleted event, and every row that disagrees with its events."""
    from .events import verify_events

    from .ledger import verify_ledger

    problems = list(verify_events(session)) + verify_records(session) + verify_ledger(session)
    cases = session.exec(select(func.count()).select_from(Case)).one()
    events = session.exec(select(func.count()).select_from(EventRecord)).one()
    return VerifyReport(cases, events, problems)


def round_proposal_ids(session: Session) -> set[int]:
    """Proposals a CSI placement round or a release offer made (they depend on the whole round).

    Found through the round's placements and waitlist rows and through the events the round
    recorded.
    """
    from .csi import KIND, ROUND_ACTOR, CsiPlacement, CsiWaitlistEntry

    # Every opened store has the CSI tables: their migration runs when ``cases`` is imported.
    ids: set[int] = set(session.exec(select(CsiPlacement.decision_id)).all())
    ids |= set(session.exec(select(CsiWaitlistEntry.decision_id)).all())
    query = (select(EventRecord.payload).join(Case, EventRecord.case_id == Case.id)
             .where(Case.kind == KIND, EventRecord.type == "proposal", EventRecord.actor == ROUND_ACTOR))
    for payload in session.exec(query):
        if isinstance(payload, dict) and payload.get("decision_id") is not None:
            ids.add(int(payload["decision_id"]))
    return ids
