"""The demo: generated applications through the whole workflow, then the follow-up figures."""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError

from cases.errors import InputRefused
from cases.reports import overview
from cases.store import make_url, open_store, resolve_url
from engine import api
from engine.sensitive import shown_path
from engine.swedish import count

from .areas import processing_target_days
from .demo_data import AREA, DEMO_AS_OF, REGISTER_ONLY, SCHOOLS, run_demo
from .schools import DEMO_SOURCE as REGISTER_SOURCE, ensure_demo_register


DEMO_SOURCE = "stod demo"  # what the demo's applications are stored as coming from (``applications.source``)


def not_demo(conn) -> str | None:
    """Why a store (a SQLAlchemy connection) is not the demo's: it holds applications that did not
    come from ``stod demo`` and has no demo school register. None for a demo store or an empty one.

    The demo's own store may hold a few applications sent through the web app while trying it
    (``stod serve --demo``): the demo's register (source ``demo``) marks it as the demo's.
    """
    found = _count(conn, "SELECT count(*) FROM applications WHERE source <> :demo", DEMO_SOURCE)
    if found and _count(conn, "SELECT count(*) FROM school_register WHERE source = :demo", REGISTER_SOURCE):
        return None
    if found:
        return (f"innehåller {count(found, 'en ansökan/ansökningar', False)} som inte kommer från stod demo; "
                "demodata blandas aldrig med riktiga ärenden")
    return None


def _count(conn, query: str, source: str) -> int:
    """A count from the store; 0 when its table is not there (nothing of the kind stored)."""
    try:
        return conn.execute(text(query), {"demo": source}).scalar_one()
    except (OperationalError, ProgrammingError):
        return 0


def start_over(db: str | None) -> None:
    """Delete the demo's SQLite file (and its WAL files); only a SQLite file the demo made can be started over."""
    url = resolve_url(db)
    database = make_url(url).database
    if not url.startswith("sqlite") or not database or database == ":memory:":
        raise InputRefused("--fresh", "bara en SQLite-fil kan börja om från början; töm databasen själv eller välj "
                                      "en SQLite-fil med --db")
    path = Path(database)
    if path.exists() and (not path.is_file() or path.stat().st_size > 0):
        why = _not_demo_file(path)
        if why is not None:
            raise InputRefused("--fresh", f"{shown_path(database)} {why}; --fresh tar bara bort en databas som "
                                          "stod demo har skapat. Välj en annan fil med --db")
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)


def _not_demo_file(path: Path) -> str | None:
    """``not_demo`` of a SQLite file, read without changing it; also what is no case store at all."""
    if not path.is_file():
        return "är ingen fil"
    # mode=rw never creates the file, and (unlike mode=ro) removes the -wal and -shm files a store
    # in WAL mode gets on opening when it closes (as cases.backup._cases_in): a refusal leaves nothing.
    engine = create_engine(f"sqlite:///file:{path}?mode=rw&uri=true")
    try:
        with engine.connect() as conn:
            tables = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
            if "applications" not in tables or "cases" not in tables:
                return "är ingen stodbeslut-databas"
            return not_demo(conn)
    except DatabaseError:
        return "är ingen SQLite-databas"
    finally:
        engine.dispose()


def demo(db: str | None, count: int, seed: int, fresh: bool = False) -> dict:
    """Generate, submit, complete and decide ``count`` applications; the summary as of the demo's last day."""
    if fresh:
        start_over(db)
    started = time.perf_counter()
    store = open_store(db)
    with store.read() as session:
        why = not_demo(session.connection())
    if why is not None:
        store.dispose()
        raise InputRefused("--db", f"databasen {why}. Kör demon i en egen fil, till exempel --db demo.db")
    run = run_demo(store, count, seed, intake=api.read_application, decide=api.decide)
    register = ensure_demo_register(store, SCHOOLS, REGISTER_ONLY)
    summary = overview(store, DEMO_AS_OF, lambda day: processing_target_days(AREA, day))
    summary["run"] = {**run.__dict__, "seconds": round(time.perf_counter() - started, 2), "database": str(store)}
    summary["run"]["register_rows_added"] = register.added
    summary["school_register"] = {"rows": register.rows, "demo_data": True}
    return summary
