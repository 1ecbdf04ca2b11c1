"""The city-wide chain over every case's chain, its signed anchor, and what a decision rests on.

Each case keeps its own hash chain of events (``cases.events``). That cannot show a case
that was deleted whole, nor a chain that was rewritten and recomputed (the hash is unkeyed
and its head lives in the same database). So every event is also entered, in the order it
was written, in one city-wide chain, the *ledger*: ``hash = sha256(prev + canonical
{seq, case application id, event seq, event hash})``. The ledger's head is exported with
``stod audit anchor FILE``, signed with an HMAC key that does not live in the database
(``STOD_ANCHOR_KEY``, or a file named by ``STOD_ANCHOR_KEY_FILE``); ``stod audit verify
--anchor FILE`` proves that the first N entries are still the ones anchored.

``verify_ledger`` also checks what the event chains alone do not cover: each case's
identity (school, district, receipt date) against its first application revision, its
status against the status its events lead to (and no second decision without a new
proposal), and every stored ruleset copy against its content hash.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel

from .errors import InputRefused
from .problems import ChainProblem
from .store import canonical_bytes, canonical_hash, register_migration
from .models import (BESLUTAD, FORSLAG, KOMPLETTERING_BEGARD, MOTTAGEN, ApplicationRecord, Case, ChainLink,
                     EventRecord, RulesetVersion)

GENESIS = hashlib.sha256(b"stodbeslut:ledger").hexdigest()
KEY_ENV, KEY_FILE_ENV = "STOD_ANCHOR_KEY", "STOD_ANCHOR_KEY_FILE"
ANCHOR_FORMAT = "stodbeslut-anchor/1"
_LOCK = 7310443  # PostgreSQL advisory lock: one ledger append at a time


class LedgerEntry(ChainLink, table=True):
    """One event, in the order events were written, chained city-wide."""

    __tablename__ = "ledger"

    seq: int = Field(primary_key=True)
    application_id: str = Field(index=True)
    event_seq: int
    event_hash: str


def entry_hash(prev: str, seq: int, application_id: str, event_seq: int, event_hash: str) -> str:
    content = canonical_bytes({"seq": seq, "case": application_id, "event_seq": event_seq, "event": event_hash})
    return hashlib.sha256(prev.encode() + content).hexdigest()


def _head(conn_or_session) -> tuple[int, str]:
    row = conn_or_session.execute(select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc())
                                  .limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def enter(session: Session, application_id: str, event_seq: int, event_hash: str) -> None:
    """Enter one event in the ledger (in the caller's transaction, after the event itself)."""
    rows = entries(session, [(application_id, event_seq, event_hash)])
    # A Core insert (no unit-of-work bookkeeping for a row nothing reads back in this transaction),
    # without flushing the caller's pending changes: the case row is flushed once, at the end.
    with session.no_autoflush:
        session.execute(LedgerEntry.__table__.insert().values(**rows[0]))


def entries(session: Session, events: list[tuple[str, int, str]]) -> list[dict]:
    """The ledger rows of events (application id, event seq, event hash), in the order given, chained
    after the ledger's head; the caller inserts them in its transaction (``enter`` one, a batch many).

    The head is read once per transaction (under a lock on PostgreSQL; SQLite's write
    transactions are serialised already) and then kept in the session, so entering does
    not flush the caller's pending changes.
    """
    head = session.info.get("ledger_head")
    if head is None:
        with session.no_autoflush:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
            head = _head(session)
    rows = chain(head, events)
    if rows:
        session.info["ledger_head"] = (rows[-1]["seq"], rows[-1]["hash"])
    return rows


def chain(head: tuple[int, str], events) -> list[dict]:
    """Ledger rows for events (application id, event seq, event hash) chained after ``head`` (seq, hash)."""
    seq, prev = head
    rows = []
    for application_id, event_seq, event_hash in events:
        seq += 1
        digest = entry_hash(prev, seq, application_id, event_seq, event_hash)
        rows.append({"seq": seq, "application_id": application_id, "event_seq": event_seq, "event_hash": event_hash,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def create_and_backfill(conn: Connection) -> None:
    """Migration: the ledger table, with the events already stored entered in the order written."""
    LedgerEntry.__table__.create(conn, checkfirst=True)
    if conn.execute(select(func.count()).select_from(LedgerEntry)).scalar():
        return
    rows = conn.execute(select(Case.application_id, EventRecord.seq, EventRecord.hash)
                        .join(Case, EventRecord.case_id == Case.id).order_by(EventRecord.id)).all()
    values = chain((0, GENESIS), rows)
    if values:
        conn.execute(LedgerEntry.__table__.insert(), values)


# -- checking ----------------------------------------------------------------------------

# The status each event leaves a case in (other events leave it as it was).
STATUS_AFTER = {"received": MOTTAGEN, "proposal": FORSLAG, "completion_requested": KOMPLETTERING_BEGARD,
                "confirmed": BESLUTAD, "overridden": BESLUTAD}
DECIDED_FROM = {"confirmed": (FORSLAG,), "overridden": (FORSLAG, KOMPLETTERING_BEGARD)}


def _problem(case_id, application_id, seq, problem) -> ChainProblem:
    return ChainProblem(case_id or 0, application_id, seq, None, problem)


def verify_ledger(session: Session) -> list[ChainProblem]:
    """Breaks of the city-wide chain, deleted cases, and rows that disagree with their events."""
    problems: list[ChainProblem] = []
    cases = {c.application_id: c for c in session.execute(select(Case)).scalars()}
    events: dict[tuple[str, int], EventRecord] = {}
    by_case: dict[int, list[EventRecord]] = {}
    for ev in session.execute(select(EventRecord).order_by(EventRecord.case_id, EventRecord.seq)).scalars():
        by_case.setdefault(ev.case_id, []).append(ev)
    app_of = {c.id: c.application_id for c in cases.values()}
    for case_id, evs in by_case.items():
        for ev in evs:
            events[(app_of.get(case_id, "?"), ev.seq)] = ev
    prev, expected = GENESIS, 1
    entered: set[tuple[str, int]] = set()
    gone: dict[str, list[LedgerEntry]] = {}  # entries of cases no longer in the store
    for entry in session.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars():
        key = (entry.application_id, entry.event_seq)
        entered.add(key)
        case = cases.get(entry.application_id)
        where = (case.id if case else 0, entry.application_id)
        if entry.seq != expected:
            problems.append(_problem(*where, None, f"huvudkedjans post {entry.seq} där {expected} väntades "
                                                   "(poster borttagna eller infogade)"))
        if entry.prev_hash != prev or entry_hash(entry.prev_hash, entry.seq, entry.application_id, entry.event_seq,
                                                 entry.event_hash) != entry.hash:
            problems.append(_problem(*where, None, f"huvudkedjans post {entry.seq} stämmer inte med sin hash "
                                                   "(huvudkedjan är ändrad)"))
        prev, expected = entry.hash, entry.seq + 1
        if case is None:
            gone.setdefault(entry.application_id, []).append(entry)
            continue
        event = events.get(key)
        if event is None:
            problems.append(_problem(*where, entry.event_seq, "händelsen finns i huvudkedjan men är borttagen"))
        elif event.hash != entry.event_hash:
            problems.append(_problem(*where, entry.event_seq, "händelsen är omskriven (dess hash är inte den "
                                                              "som huvudkedjan registrerade)"))
    problems.extend(_gone_cases(session, gone))
    for key, event in sorted(events.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if key not in entered:
            case = cases.get(key[0])
            problems.append(_problem(case.id if case else 0, key[0], key[1], "händelsen finns inte i huvudkedjan "
                                                                             "(tillagd utanför handläggningen)"))
    problems.extend(_case_rows(session, cases, by_case))
    problems.extend(_rulesets(session))
    return problems


def _gone_cases(session: Session, gone: dict[str, list[LedgerEntry]]) -> list[ChainProblem]:
    """Cases in the ledger but not in the store: removed under the retention plan, or deleted."""
    from .removed import removed_case_problems

    removed, problems = removed_case_problems(session, gone)
    out = [_problem(0, application_id, None, problem) for application_id, problem in problems]
    out += [_problem(0, application_id, None, "ärendet finns i huvudkedjan men är borttaget ur databasen")
            for application_id in gone if application_id not in removed]
    return out


def _case_rows(session: Session, cases: dict[str, Case], by_case: dict[int, list[EventRecord]]) -> list[ChainProblem]:
    """Each case's identity and status as its application and events say they must be."""
    problems = []
    first = {a.case_id: a for a in session.execute(select(ApplicationRecord).where(ApplicationRecord.revision == 1))
             .scalars()}
    for case in sorted(cases.values(), key=lambda c: c.id):
        bad = lambda problem, seq=None: problems.append(_problem(case.id, case.application_id, seq, problem))  # noqa: E731
        app = first.get(case.id)
        if app is not None:
            raw = app.raw or {}
            school = raw.get("school") or {}
            expected = {"school_unit_code": school.get("unit_code"), "school_name": school.get("name"),
                        "district": school.get("district"), "received": str(raw.get("received")),
                        "application_id": raw.get("application_id"), "kind": raw.get("kind")}
            actual = {"school_unit_code": case.school_unit_code, "school_name": case.school_name,
                      "district": case.district, "received": str(case.received),
                      "application_id": case.application_id, "kind": case.kind}
            for name, value in expected.items():
                if value is not None and actual[name] != value:
                    bad(f"ärendets {name} är {str(actual[name])[:60]!r} men ansökan säger {str(value)[:60]!r} "
                        "(ärendet är ändrat)")
        status = None
        for ev in by_case.get(case.id, []):
            if ev.type in DECIDED_FROM and status not in DECIDED_FROM[ev.type]:
                bad(f"ett beslut ({ev.type}) när ärendet var {status or 'utan förslag'}: beslutat utan nytt "
                    "förslag (status ändrad utanför handläggningen?)", ev.seq)
            status = STATUS_AFTER.get(ev.type, status)
        if status is not None and case.status != status:
            bad(f"ärendets status är {case.status} men händelserna leder till {status} (statusen är ändrad)")
    return problems


def _rulesets(session: Session) -> list[ChainProblem]:
    """Every stored ruleset copy against its version, which is the hash of its files."""
    from engine.yamlsource import DictSource, content_hash

    problems = []
    for row in session.execute(select(RulesetVersion)).scalars():
        files = row.files or {}
        if content_hash(DictSource(files), row.area) != row.version:
            problems.append(_problem(0, f"regelverk {row.area}", None, f"den lagrade kopian av version {row.version} "
                                     "stämmer inte med versionens hash (regelfilerna är ändrade)"))
    return problems


# -- the anchor --------------------------------------------------------------------------


def anchor_key() -> bytes:
    """The HMAC key of anchors: ``STOD_ANCHOR_KEY``, or the file ``STOD_ANCHOR_KEY_FILE`` names."""
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode()
    path = os.environ.get(KEY_FILE_ENV)
    if path:
        try:
            key = Path(path).read_bytes().strip()
        except OSError as error:
            reason = "den finns inte" if isinstance(error, FileNotFoundError) else "den får inte läsas eller är ingen fil"
            raise InputRefused(KEY_FILE_ENV, f"nyckelfilen går inte att läsa ({reason}); ange sökvägen till en "
                                             "befintlig nyckelfil eller sätt STOD_ANCHOR_KEY") from None
        if key:
            return key
    raise InputRefused(KEY_ENV, "ingen ankarnyckel: sätt STOD_ANCHOR_KEY eller STOD_ANCHOR_KEY_FILE "
                                "(nyckeln får inte ligga i databasen)")


def _sign(body: dict, key: bytes) -> str:
    return hmac.new(key, json.dumps(body, sort_keys=True, separators=(",", ":")).encode(), hashlib.sha256).hexdigest()


def make_anchor(session: Session, key: bytes, at: datetime) -> dict:
    """The ledger's head now, signed: what ``stod audit anchor`` writes."""
    count, head = _head(session)
    body = {"format": ANCHOR_FORMAT, "entries": count, "head": head, "at": at.isoformat(timespec="seconds")}
    return {**body, "hmac": _sign(body, key)}


def check_anchor(session: Session, anchor: dict, key: bytes) -> list[ChainProblem]:
    """Problems proving the ledger was rewritten since the anchor (empty when it was not)."""
    body = {k: anchor.get(k) for k in ("format", "entries", "head", "at")}
    if anchor.get("format") != ANCHOR_FORMAT or not isinstance(anchor.get("entries"), int) \
            or not hmac.compare_digest(str(anchor.get("hmac", "")), _sign(body, key)):
        return [_problem(0, "ankaret", None, "ankarfilens signatur stämmer inte (fel nyckel, eller filen är ändrad)")]
    entry = session.get(LedgerEntry, anchor["entries"]) if anchor["entries"] else None
    if anchor["entries"] == 0:
        return []
    if entry is None:
        return [_problem(0, "huvudkedjan", None, f"post {anchor['entries']} som ankaret ({anchor['at']}) "
                                                 "pekar på finns inte (huvudkedjan är avkortad)")]
    if entry.hash != anchor["head"]:
        return [_problem(0, "huvudkedjan", None, f"post {anchor['entries']} har en annan hash än ankaret "
                                                 f"({anchor['at']}) registrerade: historiken är omskriven sedan dess")]
    return []


def findings_hash(rows: list[dict]) -> str:
    """sha256 of a proposal's findings (rule, status, decisive, text), in rule order.

    ``evidence_hash`` of the sorted lists; where each holds exact strings and a bool (always, from
    the engine or the store), orjson's plain writing of them is that canonical text, without the
    walk over their types that ``canonical_bytes`` makes for any value (≈ 30 % of the hash)."""
    items = sorted([r["rule_id"], r["status"], bool(r["decisive"]), r["text"] or ""] for r in rows)
    for rule_id, status, _, text in items:
        if type(rule_id) is not str or type(status) is not str or type(text) is not str:
            return evidence_hash(items)
    try:
        return hashlib.sha256(orjson.dumps(items)).hexdigest()
    except orjson.JSONEncodeError:  # a lone surrogate: the general path says what is wrong
        return evidence_hash(items)


# A decision row's fields that a letter, the case page or a statistic shows (its text has its own
# hash, its findings theirs): what ``record_hash`` covers.
RECORD_FIELDS = ("kind", "outcome", "decisive_rules", "amount_sek", "level", "granted_start", "granted_end",
                 "completion_deadline", "requests", "decision_date", "decided_by", "parameters", "computed_sek",
                 "override_reason_code", "override_reason", "proposal_id", "ruleset_area", "ruleset_version",
                 "ruleset_binding")


def record_hash(values) -> str:
    """sha256 of a decision row's ``RECORD_FIELDS``, from a row or a dict of its column values
    (a missing one is None); dates as ÅÅÅÅ-MM-DD. Its event records it, ``stod audit verify``
    compares it with the row."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name, None)
    plain = {}
    for name in RECORD_FIELDS:
        value = get(name)
        plain[name] = value.isoformat() if isinstance(value, date) else value
    return evidence_hash(plain)


def evidence_hash(value) -> str:
    """sha256 of a stored text or list, for event payloads (letters, findings)."""
    return canonical_hash(value)



register_migration("0003_ledger", create_and_backfill)
