"""The CSI contract rounds in ../shared/contract/csi give exactly their expected results."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.areas.csi import api as csi_api
from stod.cli import main

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi"
ROUNDS = ["round-example", "round-example-2"]
DECISION_DATE = date(2026, 7, 31)


def expected(name: str) -> dict:
    data = json.loads((CONTRACT / f"{name}.expected.json").read_text(encoding="utf-8"))
    (only,) = data.values()  # one round per file, keyed by the round's name
    return only


@pytest.mark.parametrize("name", ROUNDS)
def test_contract_round(name):
    data = csi_api.read_round((CONTRACT / f"{name}.json").read_bytes(), source=name)
    results = csi_api.check_round(data, DECISION_DATE).results
    want = expected(name)
    assert set(results) == set(want)
    for rid, fields in want.items():
        assert {k: results[rid][k] for k in fields} == fields, rid


@pytest.mark.parametrize("name", ROUNDS)
def test_contract_round_through_the_cli(name):
    result = CliRunner().invoke(main, ["csi", "check", str(CONTRACT / f"{name}.json"), "--json",
                                       "--date", DECISION_DATE.isoformat()])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["term"] == "HT2026"
    for rid, fields in expected(name).items():
        got = printed["results"][rid]
        assert {k: got[k] for k in fields} == fields, rid
        assert got["decisive_rules"] == sorted(got["decisive_rules"])
        assert got["text"] and got["findings"]
        if got["outcome"] in ("placering", "ko"):
            assert got["decisive_rules"] == [] and isinstance(got["rank"], int)


def test_contract_files_present():
    assert all((CONTRACT / f"{n}.json").exists() for n in ROUNDS), f"contract rounds missing under {CONTRACT}"


def test_catalogue_in_rules_is_the_contract_catalogue():
    contract = json.loads((CONTRACT / "catalogue-2026.json").read_text(encoding="utf-8"))
    groups = csi_api.catalogue_for("HT2026")
    assert len(groups) == 16
    assert {g.id: (g.focus, g.school_unit_code, g.school_name, [g.low, g.high], g.capacity) for g in groups} == {
        g["id"]: (g["focus"], g["school_unit_code"], g["school_name"], g["grades"], g["capacity"])
        for g in contract["groups"]}
    assert all(g.taken == 0 for g in groups)
