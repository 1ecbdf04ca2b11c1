"""Backing up and restoring a SQLite case store with SQLite's online backup API.

A backup is a consistent copy taken while the store is in use (the backup API copies the
pages under SQLite's own locking, so a write in progress is either wholly in the copy or not
at all). A restore first checks that the file is a case store of a schema version this
program knows (it may be older: ``stod db upgrade`` then brings it up to date), and never
replaces a store that holds cases unless asked to (``force``). PostgreSQL is backed up with
``pg_dump``/``pg_restore`` (docs/operations.md), not here.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from engine.sensitive import output_name_problem, shown_path
from engine.swedish import count

from . import store as S
from .errors import InputRefused, StoreUnavailable

PAGES_PER_STEP = 1024  # pages copied per step of the backup API (other writers get turns between steps)


@dataclass
class StoreFile:
    """What a SQLite file holds, as far as a backup or restore needs to know."""

    path: Path
    migrations: list[str]
    cases: int
    events: int

    def to_dict(self) -> dict:
        return {"file": _shown(self.path), "schema_version": len(self.migrations), "cases": self.cases,
                "events": self.events}


def _shown(path: Path) -> str:
    """A path as a message may show it: the operator's own, unless it may hold a personnummer."""
    return shown_path(str(path))


def sqlite_path(url: str, option: str = "--db") -> Path:
    """The file of a SQLite store URL; PostgreSQL and in-memory stores are refused."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        raise InputRefused(option, f"{S._safe(url)} är en PostgreSQL-databas: säkerhetskopiera den med pg_dump och "
                                   "återställ med pg_restore (se docs/operations.md, Säkerhetskopiering)")
    if not parsed.database or parsed.database == ":memory:":
        raise InputRefused(option, "en databas i minnet kan inte säkerhetskopieras; ange en SQLite-fil")
    return Path(parsed.database)


def inspect_file(path: Path, field: str) -> StoreFile:
    """Check that ``path`` is an intact case store of a known schema version, and count it."""
    if not path.is_file():
        raise InputRefused(field, f"filen {_shown(path)} finns inte")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise InputRefused(field, f"{_shown(path)} är en skadad SQLite-fil (quick_check misslyckades); välj en "
                                          "annan säkerhetskopia")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "migrations" not in tables or "cases" not in tables:
                raise InputRefused(field, f"{_shown(path)} är ingen stodbeslut-databas (tabellerna migrations och cases "
                                          "saknas); välj en fil som stod db backup har skrivit")
            migrations = [r[0] for r in conn.execute("SELECT name FROM migrations")]
            cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0] if "events" in tables else 0
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise InputRefused(field, f"{_shown(path)} är ingen SQLite-databas; välj en fil som stod db backup "
                                  "har skrivit") from None
    unknown = sorted(set(migrations) - set(S.known_migrations()))
    if unknown:
        raise InputRefused(field, f"{_shown(path)} har en schemaversion som detta program inte känner till "
                                  f"({', '.join(unknown)}); återställ den med en nyare version av stod")
    return StoreFile(path, migrations, cases, events)


def _copy(source: Path, target: Path, single_file: bool = False) -> None:
    # The source is read through a connection that may write, though the backup writes nothing
    # to it: when it is the last to close, SQLite writes the store's log back and removes the
    # -wal and -shm files, as the store's own connections do. A read-only connection cannot,
    # and left them beside the store after every backup.
    src = sqlite3.connect(source, timeout=S.SQLITE_BUSY_MS / 1000)
    try:
        dst = sqlite3.connect(target, timeout=S.SQLITE_BUSY_MS / 1000)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            # One self-contained file: the copy takes the source's WAL mode, which would leave
            # -wal and -shm files beside it (the store sets WAL again when it is opened).
            if single_file:
                dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup(url: str, target: Path, force: bool = False) -> StoreFile:
    """Copy the SQLite store at ``url`` to ``target`` while it may be in use; returns what was copied."""
    source = sqlite_path(url)
    S.Store(url, create=False, upgrade=False).dispose()  # refuses a missing file or someone else's database
    target = target.expanduser()
    problem = output_name_problem(str(target))
    if problem:
        raise InputRefused("FIL", problem)
    if target.exists() and not force:
        raise InputRefused("FIL", f"{_shown(target)} finns redan; välj ett nytt filnamn eller skriv över med --force")
    if target.resolve() == source.resolve():
        raise InputRefused("FIL", "säkerhetskopian kan inte skrivas över databasen själv; välj en annan fil")
    if not target.parent.is_dir():
        raise InputRefused("FIL", f"mappen {_shown(target.parent)} finns inte; skapa den först")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial, single_file=True)
        copied = inspect_file(partial, "FIL")
        partial.replace(target)  # the backup appears whole or not at all
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            leftover.unlink(missing_ok=True)
    copied.path = target
    return copied


def restore(backup_file: Path, url: str, force: bool = False) -> StoreFile:
    """Replace the SQLite store at ``url`` by the backup; refuses to replace cases without ``force``."""
    target = sqlite_path(url)
    backup_file = backup_file.expanduser()
    restored = inspect_file(backup_file, "FIL")
    if backup_file.resolve() == target.resolve():
        raise InputRefused("FIL", "säkerhetskopian och databasen är samma fil")
    if target.exists() and target.stat().st_size > 0 and not force:
        existing = _cases_in(target)
        if existing is None or existing > 0:
            what = (count(existing, "ett ärende/ärenden", False) if existing is not None
                    else "data som inte är en tom stodbeslut-databas")
            raise InputRefused("--db", f"{_shown(target)} innehåller {what}; återställ till en ny fil med --db, eller skriv "
                                       "över med --force (ta först en säkerhetskopia av den)")
    if not target.parent.is_dir():
        raise InputRefused("--db", f"mappen {_shown(target.parent)} finns inte; skapa den först")
    try:
        _copy(backup_file, target)
    except sqlite3.OperationalError as error:
        raise StoreUnavailable(f"databasen {_shown(target)} kan inte skrivas ({error}); stoppa det som använder den "
                               "och försök igen") from None
    restored.path = target
    return restored


def _cases_in(path: Path) -> int | None:
    """How many cases a SQLite file holds (0 for an empty file), None if it is not a case store."""
    try:
        # Read through a connection that may write (mode=rw never creates the file): a read-only
        # one cannot remove the -wal and -shm files a store in WAL mode gets on opening, and left
        # them beside a store the restore then refused to replace.
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return 0
            if "cases" not in tables:
                return None
            return conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
