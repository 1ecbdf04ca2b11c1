"""Health checks for the reverse proxy and monitoring: ``/healthz`` and ``/readyz``.

- ``GET /healthz``: the process is up and answers (200, no database touched). A proxy or
  systemd watchdog restarts a server that stops answering this.
- ``GET /readyz``: the server can serve: the database answers, its schema has exactly the
  migrations this release knows (none pending, none unknown), every rule area of the rules
  folder loads, and no other package shadows our import names. 200 when all hold, else 503 with
  each failed check named in Swedish. The body also carries the package version and the ruleset
  versions, so an operator sees at once that every server behind the proxy runs the same rules.

Neither needs a login, and neither shows anything about a case, a user or the database URL.
"""
from __future__ import annotations

import functools

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, text

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


def check_database(store) -> str | None:
    """None when the database answers a query, else why not (one Swedish line, no URL)."""
    from cases.faults import describe

    try:
        with store.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any driver error: the server is not ready
        return describe(error) or f"databasen svarar inte ({type(error).__name__})"
    return None


def check_schema(store) -> str | None:
    """None when the applied migrations are exactly the ones this release knows."""
    from cases.models import Migration
    from cases.store import known_migrations

    known = known_migrations()
    try:
        with store.read() as session:
            applied = set(session.execute(select(Migration.name)).scalars())
    except Exception as error:
        return f"migreringsloggen går inte att läsa ({type(error).__name__})"
    pending = [name for name in known if name not in applied]
    unknown = sorted(applied - set(known))
    if unknown:
        return f"databasen har migreringar som denna version inte känner till: {', '.join(unknown)}; uppgradera programmet"
    if pending:
        return f"migreringar saknas i databasen: {', '.join(pending)}; kör stod db upgrade"
    return None


def check_rules() -> tuple[str | None, dict[str, str]]:
    """None and each area's ruleset version when every area of the rules folder loads."""
    from engine.area import load_areas
    from engine.errors import RuleFileError

    try:
        areas = load_areas()
    except (RuleFileError, OSError) as error:
        return f"reglerna går inte att läsa: {error}", {}
    if not areas:
        return "inga regelområden i regelmappen; kontrollera STOD_RULES_DIR", {}
    return None, {area.name: area.version for area in areas}


@functools.cache
def _collisions() -> tuple[str, ...]:
    """The import-name check scans every installed distribution: once per process is enough."""
    from stod.distribution import collisions

    return tuple(collisions())


def readiness(store) -> tuple[bool, dict]:
    """Every readiness check; (ready, the JSON body)."""
    from stod.distribution import version

    rules_problem, rulesets = check_rules()
    clashes = _collisions()
    checks = {"database": check_database(store), "rules": rules_problem,
              "imports": "; ".join(clashes) if clashes else None}
    checks["schema"] = check_schema(store) if checks["database"] is None else "databasen svarar inte"
    ready = all(problem is None for problem in checks.values())
    body = {"status": "ok" if ready else "fel", "version": version(), "rulesets": rulesets,
            "checks": {name: problem or "ok" for name, problem in checks.items()}}
    return ready, body


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    ready, body = readiness(request.app.state.ctx.store)
    return JSONResponse(body, status_code=200 if ready else 503)
