"""Storing many received applications at once: one transaction per chunk of cases.

``store_received(store, items)`` stores a chunk of applications that were already decided
(the store never evaluates a rule) in one transaction: one look-up of the chunk's
application ids, the new rows' ids taken at once, every row (the hash-chained events too)
made in Python, their entries in the city-wide ledger (``ledger.entries``) chained in the
order the events are written, then one SQLAlchemy Core executemany per table (``COPY`` on
PostgreSQL).
The chunk is stored whole or not at all (a crash part-way leaves nothing of it).

Per item it answers as ``workflow.submit`` does: a new application becomes a case with its
proposal, findings and hash-chained events; the same id with the same content again is a
no-op ("redan mottagen"); the same id with other content is refused for that item only
(``DuplicateApplication`` in its place in the results), the rest of the chunk is stored.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from . import ledger, store as S
from .errors import DuplicateApplication
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
    says which): it is then answered without one.
    """

    raw: dict
    decision: Any = None
    source: str = ""


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


def already_stored(store: S.Store, raws: Sequence[dict]) -> list[bool]:
    """For each application: is it stored already with this very content (so need not be decided)?"""
    with store.read() as session:
        known = known_applications(session, (raw["application_id"] for raw in raws))
    return [raw["application_id"] in known and S.sha256_of(raw) in known[raw["application_id"]].shas
            for raw in raws]


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
    shas = [S.sha256_of(item.raw) for item in items]
    with store.write() as session:
        conn = session.connection()
        known = known_applications(conn, (item.raw["application_id"] for item in items))
        results: list = [None] * len(items)
        new: list[int] = []  # positions of the items that become cases
        first_new: dict[str, int] = {}  # application id -> position of its first new item
        for i, item in enumerate(items):
            application_id = item.raw["application_id"]
            case = known.get(application_id)
            if case is not None:
                results[i] = _already(case) if shas[i] in case.shas else DuplicateApplication(application_id, case.id)
            elif application_id in first_new:
                results[i] = first_new[application_id]  # answered once the first one has its case number
            else:
                first_new[application_id] = i
                new.append(i)
        if new:
            _insert_cases(store, session, conn, items, shas, new, results, actor, at, rules_files)
        for i, result in enumerate(results):
            if isinstance(result, int):  # the same id twice in one chunk
                first = results[result]
                results[i] = (_already_new(first) if shas[i] == shas[result]
                              else DuplicateApplication(first.application_id, first.case_id))
    return results


def _already_new(first: StepResult) -> StepResult:
    return StepResult(first.case_id, first.application_id, first.status, None, False,
                      f"redan mottagen (ärende {first.case_id}); inget nytt sparat", version=first.version)


def _insert_cases(store, session, conn, items, shas, new, results, actor, at, rules_files) -> None:
    """The new cases of a chunk: ids taken first, so every row (events too) is made before any insert."""
    raws = [items[i].raw for i in new]
    decisions = [decision_fields(items[i].decision) for i in new]
    case_ids, app_ids, decision_ids = (_new_ids(conn, table, len(new)) for table in (CASES, APPLICATIONS, DECISIONS))
    case_rows, app_rows, values, findings, events = [], [], [], [], []
    case_application: dict[int, str] = {}
    for raw, d, case_id, app_id, decision_id, i in zip(raws, decisions, case_ids, app_ids, decision_ids, new):
        application_id, kind, received = raw["application_id"], raw["kind"], S.day(raw["received"])
        school = raw.get("school") or {}
        app_rows.append(dict(id=app_id, case_id=case_id, application_id=application_id, revision=1, kind=kind,
                             received=received, sha256=shas[i], raw=raw, source=items[i].source, stored_at=at))
        v = proposal_values(d, kind, case_id, app_id, at)
        v["id"] = decision_id
        values.append(v)
        rows = finding_rows(d, decision_id)
        findings += rows
        more, status = proposal_events(v, decision_id, 1, kind, rows)
        count, head = 0, ""
        for type_, payload in [("received", {"application_revision": 1, "sha256": shas[i]})] + more:
            event = next_event(application_id, count, head, type_, actor, at, payload)
            event["case_id"] = case_id
            events.append(event)
            count, head = event["seq"], event["hash"]
        case_application[case_id] = application_id
        case_rows.append(dict(id=case_id, kind=kind, application_id=application_id, status=status,
                              school_unit_code=str(school.get("unit_code", "")),
                              school_name=str(school.get("name", "")), district=str(school.get("district", "")),
                              received=received, created_at=at, updated_at=at, decided_on=None,
                              event_count=count, event_head=head, version=1))
        results[i] = StepResult(case_id, application_id, status, v["outcome"], True, f"mottagen som ärende {case_id}",
                                decision_id, v["amount_sek"], 1)
    for area, version in sorted({(v["ruleset_area"], v["ruleset_version"]) for v in values}):
        S.ensure_ruleset(store, session, area, version, lambda a=area, v=version: rules_files(a, v))
    # The city-wide ledger, in the order the events are written (the events table's ids follow it).
    entered = ledger.entries(session, [(case_application[e["case_id"]], e["seq"], e["hash"]) for e in events])
    for table, rows in ((CASES, case_rows), (APPLICATIONS, app_rows), (DECISIONS, values), (FINDINGS, findings),
                        (EVENTS, events), (LEDGER, entered)):
        _insert_many(conn, table, rows)


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


def _insert_many(conn, table, rows: list[dict]) -> None:
    """Insert many rows (their ids given): Core's executemany, or COPY on PostgreSQL.

    On PostgreSQL psycopg sends an executemany row by row (a chunk's ≈2,500 findings and
    events were most of the cost of storing it); COPY sends them in one stream.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        # The columns' own bind processors (dates, JSON, booleans as SQLAlchemy stores them),
        # then one executemany of a plain INSERT: compiling parameters row by row cost more.
        names = list(rows[0])
        processors = [(i, process) for i, process in
                      enumerate(table.c[n].type._cached_bind_processor(conn.dialect) for n in names) if process]
        values = operator.itemgetter(*names)
        params = []
        for row in rows:
            found = list(values(row))
            for i, process in processors:
                found[i] = process(found[i])
            params.append(tuple(found))
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        conn.exec_driver_sql(statement, params)
        return
    from .store import _column_json, as_utc

    names = list(rows[0])
    kinds = {c.name: c.type._type_affinity.__name__ for c in table.columns}
    json_columns = {n for n in names if kinds[n] == "JSON"}
    time_columns = {n for n in names if kinds[n] == "DateTime"}  # stored as UTC without zone, as bound values are

    def cell(name, value):
        if name in json_columns:
            return _column_json(value)
        if name in time_columns and value is not None:
            return as_utc(value).replace(tzinfo=None)
        return value

    import psycopg

    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([cell(n, row[n]) for n in names])
    except psycopg.IntegrityError as error:  # as SQLAlchemy would say it: the chunk is written again
        raise IntegrityError(statement, None, error) from error
