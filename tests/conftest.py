"""Shared test setup: the rule-coverage plugin and every step module in tests/steps/."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

# tests/ has no __init__.py, so pytest puts tests/ itself on sys.path and the step package
# imports as `steps`; should tests/ become a package, the names follow it.
_STEPS = f"{__package__}.steps" if __package__ else "steps"

# A new area's steps (steps/<area>_steps.py) are picked up without editing this file.
pytest_plugins = [f"{_STEPS}.coverage", f"{_STEPS}.common_steps"] + [
    f"{_STEPS}.{path.stem}" for path in sorted((Path(__file__).parent / "steps").glob("*_steps.py"))
    if path.stem != "common_steps"
]


@pytest.fixture
def decided_late(monkeypatch):
    """This machine's day put after every date the test decides on: its cases live in 2026–2027,
    and a decision may not be dated after the day it is made (``cases.workflow.machine_day``)."""
    from cases import workflow

    monkeypatch.setattr(workflow, "machine_day", lambda at: date(2027, 12, 31))
