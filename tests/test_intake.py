"""Intake refusals of the policy's *Input* section: each names the field, exit 2, nothing stored."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlmodel import SQLModel

from cases.models import ApplicationRecord, Case, EventRecord
from cases.store import open_store
from engine import api
from engine.errors import IntakeError
from stod.cli import main
from test_store import application


def text_of(**changes) -> str:
    return json.dumps(application(**changes), ensure_ascii=False)


def without(*path) -> str:
    app = application()
    node = app
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return json.dumps(app, ensure_ascii=False)


# (name, file content, the field the message must name, words the message must contain after
# the field: what is wrong or how to fix it; never empty, or the check passes for any message)
CASES = [
    ("not JSON", '{"kind": "verksamhetsstod",', "(fil)", "inte giltig JSON"),
    ("empty file", "", "(fil)", "tom"),
    ("not an object", "[1, 2, 3]", "(fil)", "inte ett JSON-objekt"),
    ("unknown kind", text_of(kind="bostadsbidrag"), "kind", "ingen känd sort"),
    ("missing field", without("need", "extraordinary_hours_per_week"), "need.extraordinary_hours_per_week",
     "saknas"),
    ("wrong type", text_of(pupil__grade="sju"), "pupil.grade", "inte ett heltal"),
    ("unknown measure", text_of(need__measures=["assistenthjalp", "hundterapi"]), "need.measures[1]",
     "ingen stödåtgärd i regelverket"),
    ("out of range", text_of(need__share_in_special_group=1.5), "need.share_in_special_group", "1"),
    ("hours out of range", text_of(need__extraordinary_hours_per_week=50), "need.extraordinary_hours_per_week", "45"),
    ("end before start", text_of(period={"start_month": "2027-03", "end_month": "2026-09"}), "period",
     "före start_month"),
    ("document after receipt", text_of(documents__utredning={"date": "2026-12-10"}), "documents.utredning.date",
     "efter mottagningsdagen"),
    ("personnummer pupil ref", text_of(pupil__ref="20120315-1234"), "pupil.ref", "personnummer"),
    ("receipt before 2026", text_of(received="2025-12-31",
                                    documents__atgardsprogram={"date": "2025-06-01", "signed_by_rektor": True},
                                    documents__utredning={"date": "2025-03-01"},
                                    documents__extra_anpassningar_utvardering={"date": "2025-08-05"}),
     "received", "2026-01-01"),
    ("bad unit code", text_of(school__unit_code="4321"), "school.unit_code", "åtta siffror"),
    ("no measures", text_of(need__measures=[]), "need.measures", "minst en"),
    ("amount not positive", text_of(requested_amount_sek=0), "requested_amount_sek", "större än 0"),
]


@pytest.mark.parametrize("name, content, field, words", CASES, ids=[c[0] for c in CASES])
def test_read_application_names_the_field(name, content, field, words):
    with pytest.raises(IntakeError) as caught:
        api.read_application(content.encode(), source="a.json")
    error = caught.value
    assert (error.field or "(fil)") == field, str(error)
    assert words, "a case must name the words its message must contain"
    after_field = str(error).split(f"{error.field}:", 1)[-1] if error.field else str(error)
    assert words in after_field, str(error)
    assert str(error).startswith("a.json: ")


@pytest.mark.parametrize("name, content, field, words", CASES, ids=[c[0] for c in CASES])
def test_submit_refuses_with_exit_2_and_stores_nothing(tmp_path, monkeypatch, name, content, field, words):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    db = str(tmp_path / "cases.db")
    result = CliRunner().invoke(main, ["submit", str(bad), "--db", db])
    assert result.exit_code == 2
    assert field in result.output and "Traceback" not in result.output
    store = open_store(db)
    with store.read() as session:
        for model in (Case, ApplicationRecord, EventRecord):
            assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    store.dispose()


def _everything_stored(db: str) -> str:
    """Every value of every row of every table, read through the product's own store, plus the
    raw bytes of the database after a WAL checkpoint (a new row may still be in the -wal file)."""
    store = open_store(db)
    try:
        with store.read() as session:
            rows = [repr(tuple(row)) for table in SQLModel.metadata.sorted_tables
                    for row in session.execute(select(table)).all()]
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.dispose()
    raw = b"".join(path.read_bytes() for path in Path(db).parent.glob(Path(db).name + "*"))
    return "\n".join(rows) + raw.decode("latin-1")


@pytest.mark.parametrize("personnummer", ["201203151234", "20120315-1234", "120315-1234", "1203151234"])
def test_personnummer_is_never_stored(tmp_path, personnummer):
    db = str(tmp_path / "cases.db")
    bad = tmp_path / "pnr.json"
    bad.write_text(text_of(pupil__ref=personnummer), encoding="utf-8")
    refused = CliRunner().invoke(main, ["submit", str(bad), "--db", db])
    assert refused.exit_code == 2, refused.output
    assert "pupil.ref" in refused.output and personnummer not in refused.output
    # A valid application after it: the reading below must see a row just stored, or it proves nothing.
    good = tmp_path / "good.json"
    good.write_text(text_of(pupil__ref="ELEV-4711", application_id="VS-T-002"), encoding="utf-8")
    stored = CliRunner().invoke(main, ["submit", str(good), "--db", db])
    assert stored.exit_code == 0, stored.output
    everything = _everything_stored(db)
    assert "ELEV-4711" in everything
    digits = personnummer.replace("-", "")
    for form in {personnummer, digits, digits[-10:], f"{digits[-10:-4]}-{digits[-4:]}"}:
        assert form not in everything, f"{form} is stored"
