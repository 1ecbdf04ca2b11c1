"""The CSI features (features/csi/*.feature), run as tests.

Steps come from tests/steps/ (csi_steps.py and the shared common_steps.py) through tests/conftest.py.
"""
from pytest_bdd import scenarios

scenarios("csi")
