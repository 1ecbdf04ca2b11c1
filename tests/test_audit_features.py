"""The auditing feature (tests/granskning/granskning.feature), run as tests; steps in tests/steps/audit_steps.py.

It lives outside features/ because the rule-coverage plugin takes every folder there for a
rule area with rules/<folder>/index.yaml; auditing is not a rule area.
"""
from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).parent / "granskning"))
