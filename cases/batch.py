"""Storing many received applications at once: one transaction per chunk of cases.

``store_received(store, items)`` stores a chunk of applications that were already decided
(the store never evaluates a rule) in one transaction: one look-up of the chunk's
application ids (and one of removed cases' ids), the new rows' ids taken at once, every row
(the hash-chained events too) made in Python, their entries in the city-wide ledger
(``ledger.entries``) chained in the order the events are written, then one executemany per
table (``COPY`` on PostgreSQL). What does not depend on the rows' ids (the content hash, the
JSON texts, the findings, the proposal's events) ``prepare`` makes beforehand, with the
decision (``stod submit`` makes them group by group, while the CPU's caches still hold the cases).
The chunk is stored whole or not at all (a crash part-way leaves nothing of it).

Per item it answers as ``workflow.submit`` does: a new application becomes a case with its
proposal, findings and hash-chained events; the same id with the same content again is a
no-op ("redan mottagen"); the same id with other content is refused for that item only
(``DuplicateApplication`` in its place in the results), the rest of the chunk is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from engine.sensitive import stored_name

from . import ledger, store as S
from .errors import DuplicateApplication
from .removed import removed_refusals
from .events import next_event
from .models import ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord
from .workflow import (E_SERVICE, RulesFiles, StepResult, _already, decision_fields, default_ruleset_files,
                       finding_rows, proposal_events, proposal_values)

CHUNK = 100  # cases per transaction: larger chunks gain little and hold the write lock longer
RETRIES = 3  # a chunk that lost a race for an application id is looked up and written again

CASES, APPLICATIONS, DECISIONS, FINDINGS, EVENTS, LEDGER = (
    m.__table__ for m in (Case, ApplicationRecord, DecisionRecord, FindingRecord, EventRecord, ledger.LedgerEntry))


@dataclass
class Received:
    """One application to store: the JSON object as sent, the engine's decision, its file.

    ``decision`` may be None for an application already stored (``known_applications``
    says which): it is then answered without one. ``prepare`` fills ``sha256`` and
    ``ready`` (``stod submit`` does, where it decides); the store
    prepares what was not. ``at``: when it was received, if not when the chunk is stored
    (the demo's cases arrive over a year).
    """

    raw: dict
    decision: Any = None
    source: str = ""
    sha256: str = ""
    ready: "Ready | None" = None
    at: datetime | None = None


# The columns of a proposal that do not depend on the new rows' ids, in this order in ``Ready.decision``.
DECISION_VALUES = ("kind", "outcome", "decisive_rules", "amount_sek", "level", "granted_start", "granted_end",
                   "completion_deadline", "requests", "ruleset_area", "ruleset_version", "ruleset_binding",
                   "decision_date", "parameters", "text")
_JSON_VALUES = frozenset(("decisive_rules", "requests", "parameters"))  # their JSON text, made once
_RULESET = slice(DECISION_VALUES.index("ruleset_area"), DECISION_VALUES.index("ruleset_version") + 1)


@dataclass
class Ready:
    """What storing a new case takes that does not depend on its rows' ids: made where it was decided.

    Plain values, the JSON columns as their text: storing them only numbers the rows and
    chains the events.
    """

    raw_json: str  # the application's JSON column
    decision: tuple  # DECISION_VALUES
    findings: list[tuple]  # (rule_id, status, decisive, text)
    events: list[tuple[str, dict]]  # after "received": their payloads' "decision_id" is filled in when stored
    status: str
    outcome: str
    amount_sek: int | None


def prepare(item: Received) -> Received:
    """``item`` with its content hash and (when it has a decision) its ``Ready`` made; returned for chaining."""
    if not item.sha256:
        item.sha256 = S.sha256_of(item.raw)
    if item.ready is None and item.decision is not None:
        kind = item.raw["kind"]
        d = decision_fields(item.decision)
        values = proposal_values(d, kind, 0, 0, None)
        findings = finding_rows(d, 0)
        events, status = proposal_events(values, None, 1, kind, findings)
        item.ready = Ready(S._column_json(item.raw),
                           tuple(S._column_json(values[n]) if n in _JSON_VALUES else values[n] for n in DECISION_VALUES),
                           [(f["rule_id"], f["status"], f["decisive"], f["text"]) for f in findings],
                           events, status, values["outcome"], values["amount_sek"])
        item.decision = None  # everything stored of it is in ``ready``
    return item


@dataclass(frozen=True)
class Known:
    """A stored case of an application id, and the content hashes of its revisions."""

    id: int
    application_id: str
    status: str
    version: int
    shas: frozenset[str]


def known_applications(session_or_conn, application_ids: Iterable[str]) -> dict[str, Known]:
    """The stored cases of these application ids (one query)."""
    wanted = sorted(set(application_ids))
    if not wanted:
        return {}
    rows = session_or_conn.execute(
        select(CASES.c.id, CASES.c.application_id, CASES.c.status, CASES.c.version, APPLICATIONS.c.sha256)
        .join(APPLICATIONS, APPLICATIONS.c.case_id == CASES.c.id)
        .where(CASES.c.application_id.in_(wanted))).all()
    found: dict[str, Known] = {}
    for case_id, application_id, status, version, sha in rows:
        before = found.get(application_id)
        shas = (before.shas if before else frozenset()) | {sha}
        found[application_id] = Known(case_id, application_id, status, version, shas)
    return found


def already_stored(store: S.Store, items: Sequence[Received | dict]) -> list[bool]:
    """For each application (a ``Received``, or its JSON object): is it stored already with this very
    content (so need not be decided)? A ``Received`` keeps the content hash it took."""
    items = [item if isinstance(item, Received) else Received(item) for item in items]
    with store.read() as session:
        known = known_applications(session, (item.raw["application_id"] for item in items))
    return [item.raw["application_id"] in known and prepare(item).sha256 in known[item.raw["application_id"]].shas
            for item in items]


def store_received(store: S.Store, items: Sequence[Received], *, actor: str = E_SERVICE,
                   at: datetime | None = None, rules_files: RulesFiles = default_ruleset_files
                   ) -> list[StepResult | DuplicateApplication]:
    """Store a chunk of decided applications in one transaction; one result per item, in order."""
    if not items:
        return []
    for attempt in range(RETRIES):
        try:
            return _write_chunk(store, items, actor, S.as_utc(at), rules_files)
        except IntegrityError:
            # Another writer stored one of these application ids between our lookup and our
            # insert (PostgreSQL; SQLite writers queue). Nothing of the chunk was kept: again.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _write_chunk(store, items, actor, at, rules_files) -> list:
    for item in items:
        prepare(item)
    with store.write() as session:
        conn = session.connection()
        ids = [item.raw["application_id"] for item in items]
        known = known_applications(conn, ids)
        removed = removed_refusals(conn, (i for i in ids if i not in known))
        results: list = [None] * len(items)
        new: list[int] = []  # positions of the items that become cases
        first_new: dict[str, int] = {}  # application id -> position of its first new item
        for i, (item, application_id) in enumerate(zip(items, ids)):
            case = known.get(application_id)
            if case is not None:
                results[i] = _already(case) if item.sha256 in case.shas else DuplicateApplication(application_id,
                                                                                                 case.id)
            elif application_id in removed:
                results[i] = removed[application_id]  # the id of a case removed under the retention plan stays used
            elif application_id in first_new:
                results[i] = first_new[application_id]  # answered once the first one has its case number
            else:
                first_new[application_id] = i
                new.append(i)
        if new:
            _insert_cases(store, session, conn, [items[i] for i in new], new, results, actor, at, rules_files)
        for i, result in enumerate(results):
            if isinstance(result, int):  # the same id twice in one chunk
                first = results[result]
                results[i] = (_already_new(first) if items[i].sha256 == items[result].sha256
                              else DuplicateApplication(first.application_id, first.case_id))
    return results


def _already_new(first: StepResult) -> StepResult:
    return StepResult(first.case_id, first.application_id, first.status, None, False,
                      f"redan mottagen (ärende {first.case_id}); inget nytt sparat", version=first.version)


CASE_COLUMNS = ("id", "kind", "application_id", "status", "school_unit_code", "school_name", "district", "received",
                "created_at", "updated_at", "decided_on", "event_count", "event_head", "version")
APPLICATION_COLUMNS = ("id", "case_id", "application_id", "revision", "kind", "received", "sha256", "raw", "source",
                       "stored_at")
DECISION_COLUMNS = ("id", "case_id", "application_row_id", "created_at") + DECISION_VALUES
FINDING_COLUMNS = ("decision_id", "rule_id", "status", "decisive", "text")
EVENT_COLUMNS = ("case_id", "seq", "type", "actor", "at", "payload", "prev_hash", "hash")
LEDGER_COLUMNS = ("seq", "application_id", "event_seq", "event_hash", "prev_hash", "hash")


def _insert_cases(store, session, conn, items, positions, results, actor, at, rules_files) -> None:
    """The new cases of a chunk: ids taken first, so every row (events too) is made before any insert."""
    count = len(items)
    case_ids, app_ids, decision_ids = (_new_ids(conn, table, count) for table in (CASES, APPLICATIONS, DECISIONS))
    case_rows, app_rows, decision_rows, findings, events, entered = [], [], [], [], [], []
    rulesets = set()
    for item, case_id, app_id, decision_id, i in zip(items, case_ids, app_ids, decision_ids, positions):
        raw, ready = item.raw, item.ready
        when = at if item.at is None else S.as_utc(item.at)
        application_id, kind, received = raw["application_id"], raw["kind"], S.day(raw["received"])
        school = raw.get("school") or {}
        app_rows.append((app_id, case_id, application_id, 1, kind, received, item.sha256, ready.raw_json,
                         stored_name(item.source), when))
        decision_rows.append((decision_id, case_id, app_id, when) + ready.decision)
        rulesets.add(ready.decision[_RULESET])
        findings += [(decision_id,) + f for f in ready.findings]
        seq, head = 0, ""
        for type_, payload in [("received", {"application_revision": 1, "sha256": item.sha256})] + ready.events:
            if "decision_id" in payload:
                payload = {**payload, "decision_id": decision_id}
            event = next_event(application_id, seq, head, type_, actor, when, payload)
            seq, head = event["seq"], event["hash"]
            events.append((case_id, seq, type_, actor, event["at"], event["payload"], event["prev_hash"], head))
            entered.append((application_id, seq, head))
        case_rows.append((case_id, kind, application_id, ready.status, str(school.get("unit_code", "")),
                          str(school.get("name", "")), str(school.get("district", "")), received, when, when, None,
                          seq, head, 1))
        results[i] = StepResult(case_id, application_id, ready.status, ready.outcome, True,
                                f"mottagen som ärende {case_id}", decision_id, ready.amount_sek, 1)
    for area, version in sorted(rulesets):
        S.ensure_ruleset(store, session, area, version, lambda a=area, v=version: rules_files(a, v))
    # The city-wide ledger, in the order the events are written (the events table's ids follow it).
    ledger_rows = [tuple(row[n] for n in LEDGER_COLUMNS) for row in ledger.entries(session, entered)]
    for table, names, rows, as_text in (
            (CASES, CASE_COLUMNS, case_rows, ()), (APPLICATIONS, APPLICATION_COLUMNS, app_rows, ("raw",)),
            (DECISIONS, DECISION_COLUMNS, decision_rows, _JSON_VALUES), (FINDINGS, FINDING_COLUMNS, findings, ()),
            (EVENTS, EVENT_COLUMNS, events, ()), (LEDGER, LEDGER_COLUMNS, ledger_rows, ())):
        _insert_many(conn, table, names, rows, as_text)


def _new_ids(conn, table, count: int) -> list[int]:
    """Ids for ``count`` new rows of a table, taken before inserting them (so no insert need return any).

    PostgreSQL: from the table's sequence, in one query. SQLite: after the largest id; the
    chunk's transaction holds the database's write lock from its start, so no one else takes them.
    """
    if conn.dialect.name == "postgresql":
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()
        return sorted(conn.execute(text("SELECT nextval(:s) FROM generate_series(1, :n)"),
                                   {"s": sequence, "n": count}).scalars())
    largest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(largest + 1, largest + 1 + count))


def _insert_many(conn, table, names: Sequence[str], rows: list[tuple], json_text: Iterable[str] = ()) -> None:
    """Insert many rows (tuples of ``names``' values, ids given): one executemany, or COPY on PostgreSQL.

    The columns named in ``json_text`` hold their JSON text already (``Ready``). On
    PostgreSQL psycopg sends an executemany row by row (a chunk's ≈2,500 findings and
    events were most of the cost of storing it); COPY sends them in one stream.
    """
    if not rows:
        return
    json_text = set(json_text)
    if conn.dialect.name != "postgresql":
        # The columns' own bind processors (dates, JSON, booleans as SQLAlchemy stores them),
        # then one executemany of a plain INSERT: compiling parameters row by row cost more.
        processors = [(i, _sqlite_processor(table.c[n].type, conn.dialect)) for i, n in enumerate(names)
                      if n not in json_text]
        processors = [(i, process) for i, process in processors if process]
        if processors:
            params = []
            for row in rows:
                found = list(row)
                for i, process in processors:
                    found[i] = process(found[i])
                params.append(tuple(found))
        else:
            params = rows
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        conn.exec_driver_sql(statement, params)
        return
    _copy_rows(conn, table, names, rows, json_text)


def _sqlite_processor(type_, dialect):
    """How SQLAlchemy writes a column's value on SQLite, or None when sqlite3 takes the value as it is.

    Booleans go as they are (sqlite3 stores True as 1, as the processor does); a date or time
    is written once per distinct value (a chunk's rows share their timestamp).
    """
    process = type_._cached_bind_processor(dialect)
    affinity = type_._type_affinity.__name__
    if process is None or affinity == "Boolean":
        return None
    if affinity in ("Date", "DateTime"):
        written: dict = {}

        def once(value):
            try:
                return written[value]
            except KeyError:
                text = written[value] = process(value)
                return text
        return once
    return process


def _copy_rows(conn, table, names, rows, json_text) -> None:
    """PostgreSQL: the rows in one COPY stream."""
    from .store import _column_json, as_utc

    kinds = {c.name: c.type._type_affinity.__name__ for c in table.columns}
    cells = []  # (position, how its value is written) of the columns COPY cannot take as they are
    for i, name in enumerate(names):
        if kinds[name] == "JSON" and name not in json_text:
            cells.append((i, _column_json))
        elif kinds[name] == "DateTime":  # stored as UTC without zone, as bound values are
            cells.append((i, lambda value: None if value is None else as_utc(value).replace(tzinfo=None)))

    import psycopg

    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                if cells:
                    row = list(row)
                    for i, write in cells:
                        row[i] = write(row[i])
                copy.write_row(row)
    except psycopg.IntegrityError as error:  # as SQLAlchemy would say it: the chunk is written again
        raise IntegrityError(statement, None, error) from error
