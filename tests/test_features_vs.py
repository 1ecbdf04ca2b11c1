"""The verksamhetsstöd features (features/verksamhetsstod/*.feature), run as tests.

Steps come from tests/steps/ through tests/conftest.py.
"""
from pytest_bdd import scenarios

scenarios("verksamhetsstod")
