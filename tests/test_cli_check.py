"""stod check: a dry run prints the decision (text or JSON), exit 0 for any decision, 2 for bad input."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stod.cli import main
from test_store import application

SUMMARY_KEYS = {"application_id", "kind", "outcome", "decisive_rules", "amount_sek", "level", "granted_period",
                "findings", "ruleset", "text"}


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    return tmp_path


def write(tmp, name, data) -> str:
    path = tmp / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_check_json_prints_one_object(tmp):
    result = CliRunner().invoke(main, ["check", write(tmp, "a.json", application()), "--json", "--date", "2026-12-20"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert SUMMARY_KEYS <= set(out)
    assert (out["outcome"], out["amount_sek"], out["level"]) == ("delvis_bifall", 70100, 2)
    assert out["decisive_rules"] == ["VS-G1", "VS-L1", "VS-N1", "VS-P1"]
    assert out["granted_period"] == {"start_month": "2026-12", "end_month": "2027-08"}
    assert out["ruleset"]["area"] == "verksamhetsstod" and len(out["ruleset"]["version"]) == 12


@pytest.mark.parametrize("changes, outcome, rules", [
    ({"applicant__role": "bitradande_rektor"}, "avvisning", ["VS-A1"]),
    ({"need__extraordinary_hours_per_week": 4.5}, "avslag", ["VS-S2"]),
    ({"documents__vardnadshavare_informerade": False}, "komplettering", ["VS-K7"]),
])
def test_check_exit_0_for_any_decision(tmp, changes, outcome, rules):
    result = CliRunner().invoke(main, ["check", write(tmp, "a.json", application(**changes)), "--json",
                                       "--date", "2026-12-20"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert (out["outcome"], out["decisive_rules"]) == (outcome, rules)


def test_check_text_output(tmp):
    result = CliRunner().invoke(main, ["check", write(tmp, "a.json", application()), "--date", "2026-12-20"])
    assert result.exit_code == 0
    assert "Delvis bifall" in result.output and "70 100 kr" in result.output and "VS-N1" in result.output


def test_check_several_files_gives_a_list(tmp):
    files = [write(tmp, f"{i}.json", application(application_id=f"VS-{i}")) for i in range(3)]
    result = CliRunner().invoke(main, ["check", *files, "--json", "--date", "2026-12-20"])
    assert result.exit_code == 0
    assert [o["application_id"] for o in json.loads(result.stdout)] == ["VS-0", "VS-1", "VS-2"]


def test_check_bad_input_exit_2_and_stores_nothing(tmp):
    result = CliRunner().invoke(main, ["check", write(tmp, "a.json", application(pupil__grade="7"))])
    assert result.exit_code == 2
    assert "pupil.grade" in result.output
    assert not (tmp / "stod.db").exists()


def test_check_missing_file_exit_2(tmp):
    result = CliRunner().invoke(main, ["check", str(tmp / "nope.json")])
    assert result.exit_code == 2
