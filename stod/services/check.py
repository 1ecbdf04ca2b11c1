"""Deciding without storing (``stod check``, the API's check): an application in, its explained decision out.

``explained_json`` is the one path from an application's bytes to the JSON ``stod check --json``
prints: intake (``engine.api.read_application``), the decision date (``dates``), the engine's
cross-checked decision and its summary written by orjson (``engine.api.summary_json``).
"""
from __future__ import annotations

from datetime import date

from engine import api

from .dates import check_decision_date


def read_checked(body: bytes | dict, on: date | None = None, source: str = "", option: str = "--date"):
    """The application and the day it is judged on; an IntakeError when either is refused."""
    app, _ = api.read_application(body, source=source)
    return app, check_decision_date(app, on, option=option)


def explained_json(body: bytes | dict, on: date | None = None, source: str = "", option: str = "--date",
                   indent: bool = True) -> bytes:
    """The JSON ``stod check --json`` prints for one application (``indent=False``: the same, compact)."""
    app, day = read_checked(body, on, source, option)
    return api.summary_json(api.decide(app, day), indent)
