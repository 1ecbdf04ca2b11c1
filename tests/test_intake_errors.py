"""Intake errors in Swedish (issue 11 item 3): every problem at once, field + found + expected.

The same error object comes out of `stod check --json`, `stod csi check --json` and
`stod submit --json`; a personnummer is never echoed and no message repeats itself.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import api
from engine.areas.csi import api as csi_api
from engine.errors import IntakeError
from engine.intake_errors import Problems, error_object, errors_of, refuse, shown
from stod.cli import main
from test_store import application

THREE = Path(__file__).parent / "fixtures" / "vs_three_problems.json"
ROUND = Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi" / "round-example.json"
THREE_FIELDS = ["school.name", "pupil.grade", "need.extraordinary_hours_per_week"]


def run(*args):
    return CliRunner().invoke(main, list(args))


def refused(content) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        api.read_application(content)
    return caught.value


def test_three_problems_are_listed_at_once_in_swedish():
    errors = errors_of(refused(THREE.read_bytes()))
    assert [e.field for e in errors] == THREE_FIELDS
    messages = {e.field: e.message for e in errors}
    assert messages["school.name"] == "saknas; ange skolans namn"
    assert messages["pupil.grade"] == "'tre' är inte ett heltal; ange årskursen som ett heltal 0–9 (0 är förskoleklass)"
    assert messages["need.extraordinary_hours_per_week"].startswith("50 är större än 45; ange timmarna")


def test_check_text_lists_three_errors_with_exit_2():
    result = run("check", str(THREE))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(lines) == 3
    for field, line in zip(THREE_FIELDS, lines):
        assert f"{THREE}: {field}: " in line
    assert "3 fel att rätta" in result.stderr


def test_check_json_prints_the_error_object():
    result = run("check", str(THREE), "--json")
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert list(body) == ["errors"]
    assert [e["field"] for e in body["errors"]] == THREE_FIELDS
    assert all(set(e) == {"file", "field", "message"} and e["message"] for e in body["errors"])


def test_check_json_names_problems_of_every_file(tmp_path):
    other = tmp_path / "b.json"
    other.write_text(json.dumps(application(requested_amount_sek=0)), encoding="utf-8")
    body = json.loads(run("check", str(THREE), str(other), "--json").stdout)
    assert [(Path(e["file"]).name, e["field"]) for e in body["errors"]] == \
        [(THREE.name, f) for f in THREE_FIELDS] + [("b.json", "requested_amount_sek")]


def test_submit_json_holds_the_error_object_and_stores_nothing(tmp_path):
    db = tmp_path / "cases.db"
    result = run("submit", str(THREE), "--db", str(db), "--json")
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert [e["field"] for e in body["errors"]] == THREE_FIELDS
    assert not db.exists()  # nothing stored: not even an empty store made
    existing = db.parent / "existing.db"  # into an existing store: refused, nothing stored either
    assert run("demo", "--count", "1", "--db", str(existing)).exit_code == 0
    before = json.loads(run("queue", "--db", str(existing), "--json", "--date", "2027-12-31").stdout)
    assert run("submit", str(THREE), "--db", str(existing), "--json").exit_code == 2
    assert json.loads(run("queue", "--db", str(existing), "--json", "--date", "2027-12-31").stdout) == before


def test_csi_check_lists_every_bad_request_of_a_round(tmp_path):
    data = json.loads(ROUND.read_text(encoding="utf-8"))
    data["requests"][0]["assessed_need_level"] = "hög"
    data["requests"][1]["pupil"]["grade"] = 2.5
    del data["requests"][2]["documents"]
    path = tmp_path / "round.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("csi", "check", str(path), "--json")
    assert result.exit_code == 2
    fields = [e["field"] for e in json.loads(result.stdout)["errors"]]
    ids = [r.get("application_id") for r in data["requests"][:3]]
    assert fields == [f"requests[0] ({ids[0]}).assessed_need_level", f"requests[1] ({ids[1]}).pupil.grade",
                      f"requests[2] ({ids[2]}).documents"]
    text = run("csi", "check", str(path))
    assert text.exit_code == 2 and text.stderr.count("requests[") == 3


@pytest.mark.parametrize("where", ["pupil.ref", "school.name", "applicant.name", "need.measures"])
@pytest.mark.parametrize("number", ["20120315-1234", "120315-1234", "201203151234", "120315+1234", "1203151234"])
def test_a_personnummer_is_never_echoed(where, number):
    section, field = where.split(".")
    value = [number] if field == "measures" else number
    raw = application(**{f"{section}__{field}": value})
    raw["pupil"]["grade"] = number  # a second bad field with the same number
    error = refused(json.dumps(raw))
    assert number not in str(error)
    assert number not in json.dumps(error_object(error), ensure_ascii=False)
    assert "pupil.grade" in [e.field for e in errors_of(error)]


def test_no_message_repeats_the_value_or_itself():
    error = refused(json.dumps(application(period={"start_month": "2026-8", "end_month": "2027-06"})))
    (only,) = errors_of(error)
    assert only.field == "period.start_month"
    assert only.message.count("2026-8") == 1
    assert "ÅÅÅÅ-MM" in only.message


def test_unknown_field_and_document_after_receipt_together():
    raw = application(documents__utredning={"date": "2026-12-10"})
    raw["skola"] = "x"
    fields = [e.field for e in errors_of(refused(json.dumps(raw)))]
    assert fields == ["skola", "documents.utredning.date"]


def test_messages_are_swedish_for_every_kind_of_type_error():
    raw = application(renewal="ja", need__measures="assistenthjalp", need__diagnoses=[1],
                      received="2026-13-01", school__organizer="privat", school__unit_code="4821",
                      need__share_in_special_group=float("nan"))
    text = json.dumps(raw).replace("NaN", "null")
    errors = {e.field: e.message for e in errors_of(refused(text))}
    assert errors == {
        "received": "'2026-13-01' är inget giltigt datum; ange mottagningsdagen som ÅÅÅÅ-MM-DD",
        "school.unit_code": "'4821' har fel form; ange skolenhetskoden som text med åtta siffror",
        "school.organizer": "'privat' är inget tillåtet värde; ange \"kommunal\" eller \"fristaende\"",
        "renewal": "'ja' är inte true eller false; ange true för en förlängning, annars false",
        # A value in the diagnoses is never echoed, whatever its type (harden: diagnoses only to roles that need them).
        "need.diagnoses[0]": "värdet är inte en text; ange diagnosen som text",
        "need.measures": "'assistenthjalp' är inte en lista; ange minst en stödåtgärd, som en lista med åtgärdernas namn",
        "need.share_in_special_group": "är null; ange andelen av skoltiden som ett tal 0–1, till exempel 0.5 för halva tiden",
    }


def test_problems_take_one_message_per_field_and_prefix():
    problems = Problems()
    problems.add("pupil.ref", "ser ut som ett personnummer")
    problems.add("pupil.ref", "är för lång")
    problems.extend(errors_of(refuse("grade", "x")), prefix="requests[0]")
    assert [str(e) for e in problems.items] == ["pupil.ref: ser ut som ett personnummer", "requests[0].grade: x"]
    with pytest.raises(IntakeError) as caught:
        problems.raise_if_any("fil.json")
    assert str(caught.value).splitlines() == ["fil.json: pupil.ref: ser ut som ett personnummer",
                                              "fil.json: requests[0].grade: x"]
    assert shown("19120315-1234 Anna") is None and shown("Anna") == "'Anna'"


def test_round_with_a_repeated_id_and_a_bad_term_lists_both():
    data = json.loads(ROUND.read_text(encoding="utf-8"))
    data["term"] = "HT2020"
    data["requests"].append(copy.deepcopy(data["requests"][0]))
    with pytest.raises(IntakeError) as caught:
        csi_api.read_round(data)
    fields = [e.field for e in errors_of(caught.value)]
    assert fields[0] == "term" and fields[1].endswith(".application_id") and len(fields) == 2
