"""The equity follow-up's features (features/equity/*.feature), run as tests.

Steps come from tests/steps/equity_steps.py through tests/conftest.py.
"""
from pytest_bdd import scenarios

scenarios("equity")
