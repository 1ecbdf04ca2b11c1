"""Shared test setup: the feature steps and the rule-coverage plugin, for every test module."""
from __future__ import annotations

# tests/ has no __init__.py, so pytest puts tests/ itself on sys.path and the step package
# imports as `steps`; should tests/ become a package, the names follow it.
_STEPS = f"{__package__}.steps" if __package__ else "steps"

pytest_plugins = [
    f"{_STEPS}.coverage",
    f"{_STEPS}.common_steps",
    f"{_STEPS}.vs_steps",
]
