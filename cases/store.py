"""Opening the case store, named migrations, transactions and the lookups every step shares.

``open_store(db)`` takes a path or a database URL (``STOD_DATABASE_URL`` when not given, else
the SQLite file ``stod.db`` in the current directory), applies pending migrations and
returns a ``Store``. ``store.write()`` is one transaction: everything in it is stored, or
nothing is. On SQLite a write transaction takes the write lock at its start (``BEGIN
IMMEDIATE``), so concurrent writers queue instead of failing on a stale snapshot; on
PostgreSQL the case's version column (optimistic locking) makes concurrent decisions on one
case conflict rather than overwrite.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator
from weakref import WeakSet

import orjson
from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from engine.jsonform import canonical_bytes, canonical_hash, canonical_json  # noqa: F401  (the one canonical JSON; events use it from here)
from engine.sensitive import output_name_problem, shown_path, shown_value

from .errors import InputRefused, NotFound, StoreUnavailable
from .models import ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord, Migration, RulesetVersion

DEFAULT_DB = "stod.db"
ENV_URL = "STOD_DATABASE_URL"
SQLITE_BUSY_MS = 30_000


def utcnow() -> datetime:
    """Now, in UTC (timestamps are stored and returned as aware UTC)."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime:
    """A timestamp in UTC; a naive one is taken to be UTC already. None means now."""
    if value is None:
        return utcnow()
    return value.replace(tzinfo=timezone.utc) if value.utcoffset() is None else value.astimezone(timezone.utc)


def sha256_of(value) -> str:
    return canonical_hash(value)


def chain_hash(prev_hash: str, content: str) -> str:
    """One link of a hash chain: sha256 of the previous hash and this link's canonical content."""
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


_PLAIN = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def jsonable(value):
    """A value as it will come back from a JSON column (int keys become strings, dates text)."""
    try:
        return orjson.loads(orjson.dumps(value, default=str, option=_PLAIN | orjson.OPT_SORT_KEYS))
    except (orjson.JSONEncodeError, TypeError):  # what orjson cannot write (an int beyond 64 bits)
        return json.loads(canonical_json(value))


def _column_json(value) -> str:
    """The text of a JSON column (orjson: JSON columns were a third of the cost of storing a case)."""
    try:
        return orjson.dumps(value, default=str, option=_PLAIN).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value)


def _column_value(text):
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. NaN written by the json module
        return json.loads(text)


POSTGRES_ALIASES = ("postgres", "postgresql")  # postgres:// and postgresql:// mean psycopg 3, the driver we ship
# The databases (and their drivers, "" for the default) stodbeslut runs on: any other URL is refused
# by name before SQLAlchemy looks for a driver (a missing one was a ModuleNotFoundError traceback).
SUPPORTED_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg"), "postgres": ("", "psycopg")}
URL_FIX = "ange en sökväg till en SQLite-fil eller postgresql://användare@värd:port/databas"


def resolve_url(db: str | None = None) -> str:
    """The database URL for a ``--db`` value: a URL as is, a path as a SQLite file.

    Only SQLite and PostgreSQL (psycopg 3) are supported; another URL is refused (``InputRefused``
    naming ``--db``, or ``STOD_DATABASE_URL`` when the value came from there).
    """
    option = "--db" if db else ENV_URL
    db = db or os.environ.get(ENV_URL) or DEFAULT_DB
    if "://" in db:
        try:
            url = make_url(db)
        except ArgumentError:
            raise InputRefused(option, f"{_shown_url(db)} är ingen databas-URL; {URL_FIX}") from None
        backend, _, driver = url.drivername.partition("+")
        if driver not in SUPPORTED_DRIVERS.get(backend, ()):
            raise InputRefused(option, f"stödjer bara SQLite-filer och PostgreSQL (postgresql://…), inte "
                                       f"{_shown_url(db)}; {URL_FIX}")
        if url.drivername in POSTGRES_ALIASES:
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _shown_url(url: str) -> str:
    """A URL as a refusal may show it: without its password, cut, never a personnummer."""
    return shown_path(_safe(url))


def _safe(url: str) -> str:
    """A URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


# -- migrations ---------------------------------------------------------------------------
# Each migration is (name, function(connection)); applied in order, once, recorded in the
# ``migrations`` table. The first creates the tables from the current models, so a later
# migration must check before it alters (``add_column_if_missing``) to work both on old
# databases and on new ones.


def _initial_schema(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[m.__table__ for m in (
        Case, ApplicationRecord, DecisionRecord, FindingRecord, EventRecord, RulesetVersion)])


def _queue_index(conn: Connection) -> None:
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_cases_status_received ON cases (status, received)"))


def _decision_computed_sek(conn: Connection) -> None:
    add_column_if_missing(conn, "decisions", "computed_sek INTEGER")


# Indexes whose column leads another index of its table, which serves the same look-ups:
# each only cost time on every row written (a case writes 21 findings).
REDUNDANT_INDEXES = ("ix_cases_status",  # ix_cases_status_received (0002)
                     "ix_applications_application_id",  # uq_application_revision (application_id, revision)
                     "ix_findings_decision_id",  # uq_finding_rule (decision_id, rule_id)
                     "ix_events_case_id")  # uq_event_seq (case_id, seq)


def _drop_redundant_indexes(conn: Connection) -> None:
    for name in REDUNDANT_INDEXES:
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def _application_source_base_name(conn: Connection) -> None:
    """An application's file as the store keeps it: its base name (``engine.sensitive.stored_name``).

    ``stod submit`` kept the whole path it was given until this release, and a folder's name
    may name a pupil ("Elever/Kalle A/ansokan.json"); what the one-case path always stored, the
    base name, replaces it.
    """
    from engine.sensitive import stored_name

    # ESCAPE: PostgreSQL reads a backslash in LIKE as its escape character unless told another.
    rows = conn.execute(text("SELECT id, source FROM applications WHERE source LIKE '%/%' "
                             "OR source LIKE :back ESCAPE '!'"), {"back": "%\\%"}).all()
    for row_id, source in rows:
        conn.execute(text("UPDATE applications SET source = :s WHERE id = :i"), {"s": stored_name(source), "i": row_id})


def _drop_findings_rule_index(conn: Connection) -> None:
    # No query looks findings up by rule alone: they are read with their proposal (uq_finding_rule),
    # and the rule figures join them to the proposals of a period. The index cost a quarter of
    # writing each of a case's 21 findings.
    conn.execute(text("DROP INDEX IF EXISTS ix_findings_rule_id"))


def _letters_by_lz4(conn: Connection) -> None:
    """PostgreSQL: a proposal's letter, the one value the store compresses (≈3 kB, above the
    2 kB where PostgreSQL starts to), compressed with lz4 rather than pglz: compressing it was
    a third of the server's work on a decision row. Letters stored before stay as they are
    (PostgreSQL reads either); a server built without lz4 keeps pglz. SQLite compresses nothing."""
    if conn.dialect.name != "postgresql":
        return
    if conn.execute(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                         "WHERE name = 'default_toast_compression'")).scalar():
        conn.execute(text("ALTER TABLE decisions ALTER COLUMN text SET COMPRESSION lz4"))


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial_schema", _initial_schema),
    ("0002_queue_index", _queue_index),
    ("0003_decision_computed_sek", _decision_computed_sek),
    ("0004_drop_redundant_indexes", _drop_redundant_indexes),
    ("0005_application_source_base_name", _application_source_base_name),
    ("0006_drop_findings_rule_index", _drop_findings_rule_index),
    ("0007_letters_by_lz4", _letters_by_lz4),
]


def register_migration(name: str, apply: Callable[[Connection], None]) -> None:
    """Add a named migration (e.g. a table of another area); it runs on the next open."""
    if any(existing == name for existing, _ in MIGRATIONS):
        return
    MIGRATIONS.append((name, apply))


def add_column_if_missing(conn: Connection, table: str, column_ddl: str) -> None:
    """``ALTER TABLE … ADD COLUMN`` unless the column is there (new databases have it)."""
    name = column_ddl.split()[0]
    if name not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column_ddl}"))


# Modules that register migrations of their own: imported before any open, so every process
# knows every migration (a name it does not know means the database is newer than the code).
MIGRATION_MODULES = ("cases.csi", "cases.ledger", "cases.schools", "cases.removed")


def known_migrations() -> list[str]:
    import importlib

    for module in MIGRATION_MODULES:
        importlib.import_module(module)
    return [name for name, _ in MIGRATIONS]


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations in one transaction; returns the names applied.

    ``Store`` has already refused (``_check_is_store``) a database with tables but no
    migration log (not ours) and one with a migration this code does not know (newer).
    """
    applied = []
    known_migrations()  # every module that registers a migration is imported before the first open
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Two processes opening a fresh database must not both create the tables.
                conn.execute(text("SELECT pg_advisory_xact_lock(7310442)"))
            Migration.__table__.create(conn, checkfirst=True)
            done = set(conn.execute(select(Migration.name)).scalars())
            for name, apply in MIGRATIONS:
                if name in done:
                    continue
                apply(conn)
                conn.execute(Migration.__table__.insert().values(name=name, applied_at=utcnow()))
                applied.append(name)
    return applied


# -- the store ----------------------------------------------------------------------------


# sqlite3 "adapts" every value that is not exactly an int, float, str or bytes before binding it:
# with no adapter registered for its type it asks the value and the protocol for one, and the
# protocol's answer is an AttributeError raised with a formatted message and cleared, for each
# None and each bool bound (a proposal's 21 findings each bind a bool): ≈ 3.3k instructions a value
# more than an int, 6.7 % of SQLite's executemany of a chunk. With adapters registered for both the
# answer is one lookup and a call (≈ 1.4k); what is stored is the same (NULL; 1 or 0, as sqlite3
# binds a bool, an int, anyway).
sqlite3.register_adapter(type(None), lambda value: None)
sqlite3.register_adapter(bool, int)


def _sqlite_engine(url: str) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(url, poolclass=StaticPool if memory else None, json_serializer=_column_json,
                           json_deserializer=_column_value, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see "begin").
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def missing_sqlite_file(url: str) -> str | None:
    """The path of the SQLite file ``url`` names when there is no such file (opening the store
    would create it); None for a file that exists, an in-memory database, or PostgreSQL."""
    if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
        return None
    path = make_url(url).database or ""
    return None if Path(path).is_file() else path


class Store:
    """The case store on one database; open it with ``open_store``."""

    def __init__(self, url: str, create: bool = True, upgrade: bool = True):
        self.url = url
        shown = _safe(url)
        missing = missing_sqlite_file(url)
        if missing is not None and not create:
            raise StoreUnavailable(f"ingen databas på {shown_path(missing)}; ange rätt --db (eller "
                                   "STOD_DATABASE_URL), ingenting skapades")
        if missing is not None and (problem := output_name_problem(missing, "stod.db")):
            raise InputRefused("--db", problem)  # a new store's file would carry the number in its name
        try:
            if url.startswith("sqlite"):
                self.engine = _sqlite_engine(url)
            else:
                self.engine = create_engine(url, pool_pre_ping=True, json_serializer=_column_json,
                                            json_deserializer=_column_value)
        except (NoSuchModuleError, ArgumentError, ImportError):  # a URL that did not come through resolve_url
            raise InputRefused("--db", f"stödjer bara SQLite-filer och PostgreSQL (postgresql://…), inte "
                                       f"{_shown_url(url)}; {URL_FIX}") from None
        try:
            _check_is_store(self.engine, shown, must_exist=not create)
            # ``upgrade=False`` (``stod db status``, ``stod db backup``) looks at the store as it is.
            self.applied_migrations = migrate(self.engine) if upgrade else []
        except (OperationalError, ProgrammingError) as error:
            from .faults import describe

            raise StoreUnavailable(f"databasen på {shown} kan inte öppnas: {describe(error) or _first_line(error)}") \
                from None
        self._known_rulesets: set[tuple[str, str]] = set()
        _OPEN.add(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                with Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                    yield session
                    session.flush()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (nothing it does is committed)."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()  # ends the read transaction; loaded objects stay readable

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"


# The engine of every store this process opened, while it exists: a store dropped by its
# caller leaves its engine (and the engine's connections) behind until garbage is collected.
_OPEN: WeakSet = WeakSet()


def close_all() -> None:
    """Close the connections of every store this process opened (at a command's end: SQLite
    writes its log back into the database when its last connection closes)."""
    for engine in list(_OPEN):
        engine.dispose()


def _first_line(error: Exception) -> str:
    """The driver's own message, first line only (never a traceback or the SQL)."""
    orig = getattr(error, "orig", None) or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _check_is_store(engine: Engine, shown: str, must_exist: bool) -> None:
    """Refuse a database of a schema version this code does not know, and (``must_exist``) one
    that is not a case store at all."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if Migration.__tablename__ not in tables:
            if must_exist:
                raise StoreUnavailable(f"ingen databas för ärenden på {shown} (tabellen {Migration.__tablename__} "
                                       "saknas); ange rätt --db, ingenting skapades")
            if tables:  # someone else's database: never add our tables to it
                listed = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
                raise StoreUnavailable(f"databasen på {shown} har tabeller ({listed}) men ingen migreringslogg: den "
                                       "hör inte till stodbeslut; välj en tom eller en stodbeslut-databas med --db")
            return
        done = set(conn.execute(select(Migration.name)).scalars())
    known = known_migrations()
    unknown = sorted(done - set(known))
    if unknown:
        raise StoreUnavailable(f"databasen på {shown} har en schemaversion som denna version av stod inte känner "
                               f"till ({', '.join(unknown)}): den är nyare än programmet (schemaversion {len(done)} "
                               f"mot {len(known)}); uppdatera stod")


def open_store(db: str | None = None, *, must_exist: bool = False, upgrade: bool = True) -> Store:
    """The store at ``db`` (a path or URL), or ``STOD_DATABASE_URL``, or ``./stod.db``.

    ``must_exist`` for commands that only read: a missing database is refused
    (``StoreUnavailable``, "ingen databas på …") instead of being created.
    """
    return Store(resolve_url(db), create=not must_exist, upgrade=upgrade)


# -- lookups ------------------------------------------------------------------------------


# The largest row number any table can hold (PostgreSQL INTEGER); a bigger number is no row.
ROW_ID_MAX = 2**31 - 1
# The longest reference worth looking up (application ids are at most 64 characters).
REF_MAX = 64


def row_id(text: str) -> int | None:
    """A row number written in ASCII digits that a table can hold, else None (never an overflow)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    number = int(text)
    return number if 0 < number <= ROW_ID_MAX else None


def find_case(session: Session, ref: str | int) -> Case:
    """A case by its number or its application id; NotFound says which was tried."""
    ref_text = str(ref).strip()
    case = None
    number = row_id(ref_text)
    if number is not None:
        case = session.get(Case, number)
    if case is None and len(ref_text) <= REF_MAX:
        case = session.execute(select(Case).where(Case.application_id == ref_text)).scalars().first()
    if case is None:
        raise NotFound(f"inget ärende med nummer eller ansöknings-id {shown_value(ref_text)}; se stod queue")
    return case


def case_by_application_id(session: Session, application_id: str) -> Case | None:
    return session.execute(select(Case).where(Case.application_id == application_id)).scalars().first()


def applications_of(session: Session, case_id: int) -> list[ApplicationRecord]:
    """Every revision of the case's application, oldest first."""
    return list(session.execute(select(ApplicationRecord).where(ApplicationRecord.case_id == case_id)
                                .order_by(ApplicationRecord.revision)).scalars())


def current_application(session: Session, case_id: int) -> ApplicationRecord:
    return applications_of(session, case_id)[-1]


def decisions_of(session: Session, case_id: int) -> list[DecisionRecord]:
    """Proposals and decisions of a case, in the order they were made."""
    return list(session.execute(select(DecisionRecord).where(DecisionRecord.case_id == case_id)
                                .order_by(DecisionRecord.id)).scalars())


def latest(session: Session, case_id: int, kind: str) -> DecisionRecord | None:
    return session.execute(select(DecisionRecord).where(DecisionRecord.case_id == case_id, DecisionRecord.kind == kind)
                           .order_by(DecisionRecord.id.desc()).limit(1)).scalars().first()


def findings_of(session: Session, decision_id: int) -> list[FindingRecord]:
    return list(session.execute(select(FindingRecord).where(FindingRecord.decision_id == decision_id)
                                .order_by(FindingRecord.id)).scalars())


def events_of(session: Session, case_id: int) -> list[EventRecord]:
    return list(session.execute(select(EventRecord).where(EventRecord.case_id == case_id)
                                .order_by(EventRecord.seq)).scalars())


# -- ruleset versions ---------------------------------------------------------------------


def ruleset_files(session: Session, area: str, version: str) -> dict[str, str] | None:
    """The rule files of a stored version (path -> text), for ``DictSource``; None if absent."""
    row = session.execute(select(RulesetVersion).where(RulesetVersion.area == area, RulesetVersion.version == version)
                          ).scalars().first()
    return dict(row.files) if row else None


def ensure_ruleset(store: Store, session: Session, area: str, version: str,
                   files: Callable[[], dict[str, str]]) -> None:
    """Store the rule files of a version the first time a decision uses it."""
    key = (area, version)
    if key in store._known_rulesets:
        return
    if ruleset_files(session, area, version) is None:
        # Two first users of a new version at once: the second insert quietly does nothing.
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        session.execute(insert(RulesetVersion).values(area=area, version=version, files=files(), stored_at=utcnow())
                        .on_conflict_do_nothing(index_elements=["area", "version"]))
    else:
        # Remembered only once seen committed: a rolled-back insert must be retried.
        store._known_rulesets.add(key)


def day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
