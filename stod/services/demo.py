"""The demo: generated applications through the whole workflow, then the follow-up figures."""
from __future__ import annotations

import time
from pathlib import Path

from cases.errors import InputRefused
from cases.reports import overview
from cases.store import make_url, open_store, resolve_url
from engine import api

from .areas import processing_target_days
from .demo_data import AREA, DEMO_AS_OF, REGISTER_ONLY, SCHOOLS, run_demo
from .schools import ensure_demo_register


def start_over(db: str | None) -> None:
    """Delete the demo's SQLite file (and its WAL files); only a SQLite file can be started over."""
    url = resolve_url(db)
    database = make_url(url).database
    if not url.startswith("sqlite") or not database:
        raise InputRefused("--fresh", "bara en SQLite-fil kan börja om från början; töm databasen själv eller välj "
                                      "en SQLite-fil med --db")
    for suffix in ("", "-wal", "-shm"):
        Path(database + suffix).unlink(missing_ok=True)


def demo(db: str | None, count: int, seed: int, fresh: bool = False) -> dict:
    """Generate, submit, complete and decide ``count`` applications; the summary as of the demo's last day."""
    if fresh:
        start_over(db)
    started = time.perf_counter()
    store = open_store(db)
    run = run_demo(store, count, seed, intake=api.read_application, decide=api.decide)
    register = ensure_demo_register(store, SCHOOLS, REGISTER_ONLY)
    summary = overview(store, DEMO_AS_OF, lambda day: processing_target_days(AREA, day))
    summary["run"] = {**run.__dict__, "seconds": round(time.perf_counter() - started, 2), "database": str(store)}
    summary["run"]["register_rows_added"] = register.added
    summary["school_register"] = {"rows": register.rows, "demo_data": True}
    return summary
