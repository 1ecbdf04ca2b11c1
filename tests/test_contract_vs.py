"""Every example in ../shared/contract/verksamhetsstod gives exactly its expected result."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine import api

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod"
EXPECTED = json.loads((CONTRACT / "expected.json").read_text()) if CONTRACT.exists() else {}
FIELDS = ("outcome", "decisive_rules", "amount_sek", "level", "granted_period")


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_contract_example(example):
    app, _ = api.read_application((CONTRACT / f"{example}.json").read_bytes(), source=example)
    decision = api.summary(api.decide(app, date(2026, 11, 22)))
    assert {k: decision[k] for k in FIELDS} == EXPECTED[example]


def test_contract_examples_present():
    assert len(EXPECTED) == 20, f"expected 20 contract examples under {CONTRACT}"
