"""The tamper-evident log: `stod audit verify` names every changed, inserted or deleted event.

Also home of ``build_store``: a small store of the contract examples, submitted, completed,
confirmed and overridden through the store's own workflow, used by the replay, what-if,
coverage and stats tests.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod"
EXAMPLES = sorted(CONTRACT.glob("VS-EX-*.json"))


def complete_docs(day: date) -> dict:
    """Every document, dated a few days before ``day``: what a completion round sends."""
    dated = (day - timedelta(days=3)).isoformat()
    return {"atgardsprogram": {"date": dated, "signed_by_rektor": True}, "utredning": {"date": dated},
            "extra_anpassningar_utvardering": {"date": dated}, "foregaende_period_utvardering": {"date": dated},
            "vardnadshavare_informerade": True}


def build_store(path: Path):
    """Every contract example received, evaluated and decided; one completion round, one override."""
    from cases import workflow
    from cases.store import open_store
    from engine import api

    store = open_store(str(path))
    overridden = completed = False
    for i, example in enumerate(EXAMPLES):
        app, raw = api.read_application(example.read_bytes(), source=example.name)
        on = app.received + timedelta(days=5 + 4 * i)  # some cases wait past the 28-day target
        at = datetime.combine(on, datetime.min.time()).replace(hour=9)
        result = workflow.submit(store, app, raw, lambda a, on=on: api.decide(a, on), at=at, source=example.name)
        if result.outcome == "komplettering" and not completed:
            later = on + timedelta(days=6)
            update = {"documents": complete_docs(later), "received": max(later, app.received).isoformat()}
            result = workflow.add_documents(store, result.case_id, update,
                                            lambda r: api.read_application(r),
                                            lambda a, d=later: api.decide(a, d),
                                            at=datetime.combine(later, datetime.min.time()), received=later)
            completed = True
            on = later
        if result.outcome in ("bifall", "delvis_bifall", "avslag", "avvisning"):
            if result.outcome == "bifall" and not overridden:
                workflow.override(store, result.case_id, outcome="delvis_bifall", reason_code="SARSKILDA_SKAL",
                                  reason="Skolan har redan fått medel för samma elev.", by="handlaggare.a",
                                  amount_sek=1000, on=on, at=datetime.combine(on, datetime.min.time()).replace(hour=15))
                overridden = True
            else:
                workflow.confirm(store, result.case_id, by="handlaggare.b", on=on,
                                 at=datetime.combine(on, datetime.min.time()).replace(hour=15))
    return store


@pytest.fixture
def store(tmp_path):
    store = build_store(tmp_path / "stod.db")
    yield store
    store.dispose()


def verify(store):
    from cases.audit import verify as run

    with store.read() as session:
        return run(session)


def sql(store, statement: str, **params):
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def event_row(store, case_id: int, seq: int) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(text("SELECT * FROM events WHERE case_id=:c AND seq=:s"),
                                 {"c": case_id, "s": seq}).mappings().one())


def test_untouched_store_verifies(store):
    report = verify(store)
    assert report.ok, [str(p) for p in report.problems]
    assert report.cases == len(EXAMPLES) and report.events > 3 * len(EXAMPLES)


def test_changed_event_payload_is_named(store):
    row = event_row(store, 3, 3)
    payload = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    payload["amount_sek"] = (payload.get("amount_sek") or 0) + 100000
    sql(store, "UPDATE events SET payload=:p WHERE id=:i", p=json.dumps(payload), i=row["id"])
    problems = verify(store).problems
    assert any(p.case_id == 3 and p.seq == 3 and "ändrad" in p.problem for p in problems), [str(p) for p in problems]


def test_changed_actor_is_named(store):
    row = event_row(store, 2, 1)
    sql(store, "UPDATE events SET actor='någon annan' WHERE id=:i", i=row["id"])
    problems = verify(store).problems
    assert [(p.case_id, p.seq) for p in problems if "hash" in p.problem] == [(2, 1)]


def test_deleted_middle_event_is_named(store):
    row = event_row(store, 4, 2)
    sql(store, "DELETE FROM events WHERE id=:i", i=row["id"])
    problems = [p for p in verify(store).problems if p.case_id == 4]
    assert any(p.seq == 3 and "borttagen" in p.problem for p in problems), [str(p) for p in problems]


def test_deleted_last_event_is_named(store):
    with store.engine.connect() as conn:
        last = conn.execute(text("SELECT max(seq) FROM events WHERE case_id=5")).scalar()
    sql(store, "DELETE FROM events WHERE case_id=5 AND seq=:s", s=last)
    problems = [p for p in verify(store).problems if p.case_id == 5]
    assert problems and any("borttagen" in p.problem for p in problems), [str(p) for p in problems]


def test_inserted_event_is_named(store):
    row = event_row(store, 6, 2)
    sql(store, "UPDATE events SET seq=seq+1000 WHERE case_id=6 AND seq>=2")  # one step would clash mid-update
    sql(store, "UPDATE events SET seq=seq-999 WHERE case_id=6 AND seq>=1000")
    sql(store, "INSERT INTO events (case_id, seq, type, actor, at, payload, prev_hash, hash) "
               "VALUES (6, 2, 'documents_added', 'e-tjänsten', :at, '{}', :prev, :h)",
        at=row["at"], prev=row["prev_hash"], h=row["hash"])
    problems = [p for p in verify(store).problems if p.case_id == 6]
    assert any(p.seq == 2 for p in problems), [str(p) for p in problems]


def test_changed_decision_row_is_caught_by_its_event(store):
    with store.engine.connect() as conn:
        decision_id, case_id = conn.execute(text(
            "SELECT id, case_id FROM decisions WHERE kind='decision' AND amount_sek IS NOT NULL LIMIT 1")).one()
    sql(store, "UPDATE decisions SET amount_sek=amount_sek*10 WHERE id=:i", i=decision_id)
    problems = verify(store).problems
    assert any(p.case_id == case_id and f"beslut {decision_id}: amount_sek" in p.problem for p in problems)


@pytest.mark.parametrize("kind,change", [
    ("decision", "decided_by='Mallory'"), ("decision", "decision_date='2026-01-01'"),
    ("decision", "level=CASE WHEN level=4 THEN 1 ELSE 4 END"), ("decision", "granted_end='2030-06'"),
    ("decision", "computed_sek=1"), ("decision", "parameters='{}'"), ("proposal", "completion_deadline='2030-01-01'"),
    ("proposal", "decision_date='2026-01-01'"), ("proposal", "requests='[\"x\"]'"),
], ids=lambda v: v.split("=")[0] if "=" in v else v)
def test_every_field_a_letter_or_a_statistic_shows_is_caught_by_its_event(store, kind, change):
    with store.engine.connect() as conn:
        decision_id, case_id = conn.execute(text(
            f"SELECT id, case_id FROM decisions WHERE kind='{kind}' ORDER BY id LIMIT 1")).one()
    sql(store, f"UPDATE decisions SET {change} WHERE id=:i", i=decision_id)
    problems = verify(store).problems
    assert any(p.case_id == case_id and f"beslut {decision_id}: beslutets uppgifter" in p.problem
               for p in problems), [str(p) for p in problems]


def test_a_changed_decision_day_of_a_case_is_caught(store):
    with store.engine.connect() as conn:
        case_id = conn.execute(text("SELECT id FROM cases WHERE decided_on IS NOT NULL LIMIT 1")).scalar_one()
    sql(store, "UPDATE cases SET decided_on='2026-01-02' WHERE id=:i", i=case_id)
    problems = verify(store).problems
    assert any(p.case_id == case_id and "beslutsdag 2026-01-02" in p.problem for p in problems), \
        [str(p) for p in problems]


def test_changed_application_is_caught(store):
    with store.engine.connect() as conn:
        row_id, raw = conn.execute(text("SELECT id, raw FROM applications WHERE case_id=7")).one()
    data = json.loads(raw) if isinstance(raw, str) else raw
    data["need"]["extraordinary_hours_per_week"] = 40
    sql(store, "UPDATE applications SET raw=:r WHERE id=:i", r=json.dumps(data), i=row_id)
    problems = verify(store).problems
    assert any(p.case_id == 7 and "ansökan är ändrad" in p.problem for p in problems), [str(p) for p in problems]


def test_cli_audit_verify(store, tmp_path):
    from stod.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify", "--db", str(tmp_path / "stod.db")])
    assert ok.exit_code == 0, ok.output
    assert f"{len(EXAMPLES)} ärenden" in ok.output
    sql(store, "UPDATE events SET type='confirmed' WHERE case_id=8 AND seq=1")
    bad = runner.invoke(main, ["audit", "verify", "--db", str(tmp_path / "stod.db"), "--json"])
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert not data["ok"] and any(p["case_id"] == 8 and p["seq"] == 1 for p in data["problems"])
