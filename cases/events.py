"""The tamper-evident case history: each event carries the hash of the one before it.

``hash = sha256(prev_hash + canonical content)``, where the content is the event's case
(by application id), sequence number, type, actor, time and payload. The first event of a
case chains from a genesis hash of its application id, and the case row keeps the head
(``event_head``, ``event_count``), so a changed, inserted or deleted event, including the last
one, breaks the chain. ``verify_events`` recomputes every chain and names each break.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from engine.jsonform import canonical_bytes

from .models import EVENT_TYPES, Case, EventRecord
from .problems import ChainProblem  # noqa: F401  (re-exported: the one problem record)
from .store import as_utc, canonical_json, chain_hash, jsonable


def genesis_hash(application_id: str) -> str:
    return hashlib.sha256(f"stodbeslut:case:{application_id}".encode()).hexdigest()


def event_content(application_id: str, seq: int, type_: str, actor: str, at: datetime, payload: dict) -> str:
    """The canonical text of one event that its hash covers."""
    return canonical_json(_content(application_id, seq, type_, actor, at, payload))


def event_hash(prev_hash: str, application_id: str, seq: int, type_: str, actor: str, at: datetime,
               payload: dict) -> str:
    """``chain_hash(prev_hash, event_content(…))``, from the canonical text's UTF-8 bytes as orjson
    writes them (no text decoded and encoded again)."""
    content = canonical_bytes(_content(application_id, seq, type_, actor, at, payload))
    return hashlib.sha256(prev_hash.encode() + content).hexdigest()


def _content(application_id: str, seq: int, type_: str, actor: str, at: datetime, payload: dict) -> dict:
    return {"case": application_id, "seq": seq, "type": type_, "actor": actor, "at": _utc_text(at), "payload": payload}


_UTC_TEXTS: dict[datetime, str] = {}  # a chunk's events share one time: written once


def _utc_text(at: datetime) -> str:
    """The time in UTC as the event's content writes it (ISO 8601, microseconds, +00:00)."""
    at = as_utc(at)  # always timezone.utc: equal keys write the same text
    try:
        return _UTC_TEXTS[at]
    except KeyError:
        if len(_UTC_TEXTS) >= 64:
            _UTC_TEXTS.clear()
        text = _UTC_TEXTS[at] = at.isoformat(timespec="microseconds")
        return text


def next_event(application_id: str, event_count: int, event_head: str, type_: str, actor: str, at: datetime,
               payload: dict | None) -> dict:
    """The column values of the event that follows a chain's head (nothing is stored)."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}")
    at = as_utc(at)
    payload = jsonable(payload or {})
    seq = event_count + 1
    prev = event_head or genesis_hash(application_id)
    digest = event_hash(prev, application_id, seq, type_, actor, at, payload)
    return {"seq": seq, "type": type_, "actor": actor, "at": at, "payload": payload, "prev_hash": prev, "hash": digest}


def append_event(session: Session, case: Case, type_: str, actor: str, payload: dict | None = None,
                 at: datetime | None = None) -> EventRecord:
    """Append one event to the case's chain (in the caller's transaction).

    Appending changes the case row (its chain head), so two writers appending to one case
    at once conflict on the case's version instead of forking the chain.
    """
    values = next_event(case.application_id, case.event_count, case.event_head, type_, actor, as_utc(at), payload)
    record = EventRecord(case_id=case.id, **values)
    session.add(record)
    case.event_count, case.event_head, case.updated_at = values["seq"], values["hash"], values["at"]
    from .ledger import enter  # the city-wide chain (imports this module)

    enter(session, case.application_id, values["seq"], values["hash"])
    return record


def verify_case(case: Case, events: list[EventRecord]) -> list[ChainProblem]:
    """Every break in one case's chain; empty when it is intact."""
    problems: list[ChainProblem] = []

    def bad(event, problem):
        problems.append(ChainProblem(case.id, case.application_id, event.seq if event else None,
                                     event.id if event else None, problem))

    prev = genesis_hash(case.application_id)
    expected_seq = 1
    for ev in sorted(events, key=lambda e: (e.seq, e.id)):
        if ev.seq != expected_seq:
            bad(ev, f"löpnummer {ev.seq} där {expected_seq} väntades (händelse borttagen eller infogad)")
        if ev.prev_hash != prev:
            bad(ev, "pekar inte på föregående händelses hash (händelse borttagen, infogad eller ändrad före denna)")
        recomputed = chain_hash(ev.prev_hash, event_content(case.application_id, ev.seq, ev.type, ev.actor,
                                                            ev.at, ev.payload or {}))
        if recomputed != ev.hash:
            bad(ev, "innehållet stämmer inte med sin hash (händelsen är ändrad)")
        prev, expected_seq = ev.hash, ev.seq + 1
    if len(events) != case.event_count or (case.event_count and prev != case.event_head):
        bad(None, f"ärendet anger {case.event_count} händelser med sista hash {case.event_head[:12]}…, "
                  f"men {len(events)} finns (händelse borttagen eller tillagd i slutet)")
    return problems


def verify_events(session: Session) -> list[ChainProblem]:
    """Recompute every case's chain; the list of breaks is empty for an untouched store."""
    problems: list[ChainProblem] = []
    by_case: dict[int, list[EventRecord]] = {}
    for ev in session.execute(select(EventRecord).order_by(EventRecord.case_id, EventRecord.seq)).scalars():
        by_case.setdefault(ev.case_id, []).append(ev)
    for case in session.execute(select(Case).order_by(Case.id)).scalars():
        problems.extend(verify_case(case, by_case.get(case.id, [])))
    return problems
