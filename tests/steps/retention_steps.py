"""Steps of features/gallring: a store built and examined through the `stod` command, as an operator would."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from pytest_bdd import given, parsers, then, when

from test_hostile import run  # noqa: F401  (the one CLI runner fixture of the command tests)


DESCRIPTION = "Eleven behöver en vuxen vid sin sida under lektionerna och på rasterna."
DIAGNOSES = ["autism", "dyskalkyli"]


@dataclass
class Gallringsdb:
    path: Path
    cli: Callable  # the command tests' runner (tests/test_hostile.py ``run``)
    cases: dict[str, int] = field(default_factory=dict)
    last: object = None
    digest_before: str = ""

    def run(self, *args, ok: bool = True):
        result = self.cli(*args, "--db", self.path)
        if ok:
            assert result.exit_code == 0, result.output
        return result


@pytest.fixture
def gallringsdb(tmp_path, run):
    return Gallringsdb(tmp_path / "gallring.db", run)


def _application(application_id: str, start_month: str, end_month: str) -> dict:
    from test_store import application

    return application(application_id=application_id, received="2026-03-02", period__start_month=start_month,
                       period__end_month=end_month, need__description=DESCRIPTION, need__diagnoses=DIAGNOSES,
                       documents__atgardsprogram={"date": "2026-02-06", "signed_by_rektor": True},
                       documents__utredning={"date": "2026-01-16"},
                       documents__extra_anpassningar_utvardering={"date": "2026-02-05"})


def _submit(db: Gallringsdb, application_id: str, start_month: str, end_month: str) -> int:
    path = db.path.parent / f"{application_id}.json"
    path.write_text(json.dumps(_application(application_id, start_month, end_month), ensure_ascii=False), encoding="utf-8")
    result = db.run("submit", str(path), "--date", "2026-03-10", "--json")
    case_id = json.loads(result.output)["case_id"]
    db.cases[application_id] = case_id
    return case_id


@given(parsers.parse('ärendet "{ansokan}" med diagnoser och behovsbeskrivning, beviljat den "{datum}" för perioden '
                     '"{start}" till "{slut}"'))
def _granted(gallringsdb, ansokan, datum, start, slut):
    case_id = _submit(gallringsdb, ansokan, start, slut)
    gallringsdb.run("decide", str(case_id), "--confirm", "--by", "Anna Lindqvist", "--date", datum)
    current = json.loads(gallringsdb.run("show", str(case_id), "--json").output)["current"]
    assert current["outcome"] in ("bifall", "delvis_bifall") and current["granted_end"] == slut, current


@given(parsers.parse('ärendet "{ansokan}" med diagnoser och behovsbeskrivning, som inte är beslutat'))
def _open(gallringsdb, ansokan):
    _submit(gallringsdb, ansokan, "2026-03", "2026-06")


def _digest(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        rows = [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("applications", "events", "cases")]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@when(parsers.parse('gallringen körs den "{datum}"'))
def _run(gallringsdb, datum, monkeypatch):
    from datetime import date

    from stod import cmd_db

    monkeypatch.setattr(cmd_db, "_today", lambda: date.fromisoformat(datum))  # it runs on its day, not ahead
    gallringsdb.last = json.loads(gallringsdb.run("gallra", "--on", datum, "--json").output)


@when(parsers.parse('gallringen provkörs den "{datum}"'))
def _dry_run(gallringsdb, datum):
    gallringsdb.digest_before = _digest(gallringsdb.path)
    gallringsdb.last = json.loads(gallringsdb.run("gallra", "--dry-run", "--on", datum, "--json").output)


def _traces(db: Gallringsdb, application_id: str) -> dict[str, bool]:
    """Where the pupil's words still are: in the database rows, `stod show`, the letter."""
    case_id = str(db.cases[application_id])
    with sqlite3.connect(db.path) as conn:
        stored = " ".join(r[0] for r in conn.execute("SELECT CAST(raw AS TEXT) FROM applications WHERE case_id = ?",
                                                       (int(case_id),)))
        stored += " ".join(str(r) for r in conn.execute("SELECT payload FROM events WHERE case_id = ?", (int(case_id),)))
    shown = db.run("show", case_id, "--role", "handlaggare").output + db.run("show", case_id, "--role", "handlaggare",
                                                                             "--json").output
    letter = db.run("letter", case_id).output
    words = [DESCRIPTION, *DIAGNOSES]
    return {"databasen": any(w in stored for w in words), "stod show": any(w in shown for w in words),
            "brevet": any(w in letter for w in words), "show_has_marker": "[gallrad]" in shown}


@then(parsers.parse('är diagnoserna och behovsbeskrivningen {var} i ärendet "{ansokan}"'))
def _where(gallringsdb, var, ansokan):
    traces = _traces(gallringsdb, ansokan)
    if var == "kvar":
        assert traces["databasen"] and traces["stod show"] and not traces["show_has_marker"], traces
    else:
        assert var == "borta"
        assert not traces["databasen"] and not traces["stod show"] and not traces["brevet"], traces
        assert traces["show_has_marker"], traces


@then(parsers.parse('har ärendet "{ansokan}" en händelse "{typ}" enligt "{regel}"'))
def _event(gallringsdb, ansokan, typ, regel):
    view = json.loads(gallringsdb.run("show", str(gallringsdb.cases[ansokan]), "--role", "handlaggare",
                                      "--json").output)
    events = [e for e in view["events"] if e["type"] == typ]
    assert len(events) == 1 and events[0]["payload"]["rule"] == regel, events
    assert sorted(events[0]["payload"]["removed"]) == ["need.description", "need.diagnoses"]


@then(parsers.parse('har ärendet "{ansokan}" {antal:d} händelse "{typ}"'))
def _event_count(gallringsdb, ansokan, antal, typ):
    view = json.loads(gallringsdb.run("show", str(gallringsdb.cases[ansokan]), "--json").output)
    assert sum(e["type"] == typ for e in view["events"]) == antal


@then(parsers.parse("omprövas alla {antal:d} beslutsförslag med samma utfall och belopp"))
def _replay(gallringsdb, antal):
    report = json.loads(gallringsdb.run("replay", "--all", "--json").output)
    assert report["replayed"] == antal and report["differing"] == 0 and report["not_replayable"] == 0, report


@then(parsers.parse('är ärendet "{ansokan}" kvar'))
def _case_kept(gallringsdb, ansokan):
    assert json.loads(gallringsdb.run("show", ansokan, "--json").output)["case"]["application_id"] == ansokan


@then(parsers.parse('är ärendet "{ansokan}" borttaget och gallrat enligt "{regel}"'))
def _case_removed(gallringsdb, ansokan, regel):
    result = gallringsdb.run("show", ansokan, ok=False)
    assert result.exit_code == 2 and "inget ärende" in result.output
    with sqlite3.connect(gallringsdb.path) as conn:
        assert conn.execute("SELECT rule FROM removed_cases WHERE application_id = ?", (ansokan,)).fetchall() \
            == [(regel,)]
        assert conn.execute("SELECT count(*) FROM applications WHERE application_id = ?", (ansokan,)).fetchone() \
            == (0,)


@then("är historiken hel enligt stod audit verify")
def _verified(gallringsdb):
    result = gallringsdb.run("audit", "verify")
    assert "hela" in result.output


@then(parsers.parse('listar provkörningen ärendena "{lista}"'))
def _listed(gallringsdb, lista):
    assert [d["application_id"] for d in gallringsdb.last["due"]] == lista.split(", ")
    assert gallringsdb.last["removed"] == [] and gallringsdb.last["dry_run"] is True


@then("är databasen oförändrad")
def _unchanged(gallringsdb):
    assert _digest(gallringsdb.path) == gallringsdb.digest_before


@then(parsers.parse("gallrade den sista körningen {antal:d} ärenden"))
def _removed_count(gallringsdb, antal):
    assert len(gallringsdb.last["removed"]) == antal
