"""Replay: stored proposals decided again with their own ruleset version and as-of date."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.yamlsource import default_rules_root
from reports.replay import replay_all
from test_audit import EXAMPLES, build_store, sql


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "stod.db"
    build_store(path).dispose()
    return path


@pytest.fixture
def store(store_path, tmp_path):
    from cases.store import open_store

    copy = tmp_path / "stod.db"
    shutil.copy(store_path, copy)
    store = open_store(str(copy))
    yield store
    store.dispose()


def proposals(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM decisions WHERE kind='proposal'")).scalar()


def test_correct_store_replays_identical(store):
    report = replay_all(store.url)
    assert report.proposals == proposals(store) > len(EXAMPLES)  # one case had a completion round
    assert report.identical == report.proposals and report.ok
    assert report.differences == [] and report.problems == []
    assert report.seconds > 0


def test_replay_accepts_a_session(store):
    with store.read() as session:
        report = replay_all(session)
    assert report.ok and report.proposals == proposals(store)


def test_changed_amount_and_finding_are_reported(store):
    with store.engine.connect() as conn:
        decision_id, case_id = conn.execute(text(
            "SELECT id, case_id FROM decisions WHERE kind='proposal' AND amount_sek IS NOT NULL ORDER BY id LIMIT 1")).one()
    sql(store, "UPDATE decisions SET amount_sek=amount_sek+1 WHERE id=:i", i=decision_id)
    sql(store, "UPDATE findings SET status='not_met' WHERE decision_id=:i AND rule_id='VS-A1'", i=decision_id)
    report = replay_all(store.url)
    assert report.differing == 1 and not report.ok
    fields = {(d.case_id, d.field) for d in report.differences}
    assert fields == {(case_id, "amount_sek"), (case_id, "findings.VS-A1")}
    amount = next(d for d in report.differences if d.field == "amount_sek")
    assert amount.stored == amount.replayed + 1


def test_changed_outcome_is_reported(store):
    sql(store, "UPDATE decisions SET outcome='bifall', decisive_rules='[]' WHERE id=(SELECT min(id) FROM decisions "
               "WHERE kind='proposal' AND outcome='avslag')")
    report = replay_all(store.url)
    assert {d.field for d in report.differences} >= {"outcome", "decisive_rules"}


def changed_rules(tmp_path):
    """A copy of rules/ where the least extensive hours are 25 from 2026-01-01."""
    root = tmp_path / "rules"
    shutil.copytree(default_rules_root(), root)
    param = root / "verksamhetsstod" / "parameters" / "least_extensive_hours.yaml"
    param.write_text(param.read_text(encoding="utf-8").replace("value: 5", "value: 25"), encoding="utf-8")
    return root


def test_old_version_replays_from_the_stored_files(store, tmp_path, monkeypatch):
    monkeypatch.setenv("STOD_RULES_DIR", str(changed_rules(tmp_path)))
    report = replay_all(store.url)
    assert report.ok, report.differences[:3]
    with store.engine.connect() as conn:
        stored = {f"{a}@{v}" for a, v in conn.execute(text("SELECT area, version FROM ruleset_versions"))}
    assert set(report.versions) <= stored


def test_missing_version_is_not_replayable(store, tmp_path, monkeypatch):
    monkeypatch.setenv("STOD_RULES_DIR", str(changed_rules(tmp_path)))
    sql(store, "DELETE FROM ruleset_versions")
    report = replay_all(store.url)
    assert report.not_replayable == report.proposals and not report.ok
    assert "finns varken i regelmappen eller i databasens ruleset_versions" in report.problems[0]["problem"]


def test_a_proposal_that_cannot_be_decided_again_is_named_and_the_rest_replay(store):
    """Proposals are decided again a few at a time, stage by stage (``engine.parallel.in_stages``):
    one whose stored application can no longer be read is reported on its own, in its place,
    and every other proposal, before and after it in its group, replays identical."""
    with store.engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM decisions WHERE kind='proposal' ORDER BY id"))]
        broken, case_id = conn.execute(text("SELECT id, case_id FROM decisions WHERE id=:i"), {"i": ids[2]}).one()
    sql(store, "UPDATE applications SET raw='{\"kind\": \"verksamhetsstod\"}' WHERE id=(SELECT application_row_id "
               "FROM decisions WHERE id=:i)", i=broken)
    report = replay_all(store.url)
    assert report.not_replayable == 1 and not report.ok
    assert report.identical == report.proposals - 1 and report.differing == 0
    assert [(p["decision_id"], p["case_id"]) for p in report.problems] == [(broken, case_id)]
    problem = report.problems[0]["problem"]
    assert problem.startswith("kunde inte prövas igen: ") and "Error" not in problem, problem
    assert "received: saknas" in problem and "school: saknas" in problem, problem


def test_two_workers_agree_with_one(store):
    one, two = replay_all(store.url, workers=1), replay_all(store.url, workers=2)
    assert (two.proposals, two.identical, two.workers) == (one.proposals, one.identical, 2)


def test_cli_replay(store):
    from stod.cli import main

    db = store.url.removeprefix("sqlite:///")
    runner = CliRunner()
    everything = runner.invoke(main, ["replay", "--all", "--db", db])
    assert everything.exit_code == 0, everything.output
    assert "100.0%" in everything.output and f"Omprövade {proposals(store)} av {proposals(store)} beslutsförslag" in everything.output
    one = runner.invoke(main, ["replay", "1", "--db", db, "--json"])
    assert one.exit_code == 0 and json.loads(one.output)["proposals"] == 1
    missing = runner.invoke(main, ["replay", "VS-FINNS-INTE", "--db", db])
    assert missing.exit_code == 2 and "VS-FINNS-INTE" in missing.output
    neither = runner.invoke(main, ["replay", "--db", db])
    assert neither.exit_code == 2
    sql(store, "UPDATE decisions SET level=9 WHERE kind='proposal' AND level IS NOT NULL")
    bad = runner.invoke(main, ["replay", "--all", "--db", db])
    assert bad.exit_code == 1 and "level" in bad.output


def test_changed_wording_is_counted_apart(store):
    """The text comes from engine code the ruleset version does not cover: shown, but not a difference."""
    from stod.cli import main

    sql(store, "UPDATE decisions SET text=replace(text, 'Beslut', 'BESLUT') WHERE id=(SELECT min(id) FROM decisions "
               "WHERE kind='proposal')")
    report = replay_all(store.url)
    assert report.ok and report.text_only == 1 and report.differing == 0
    (diff,) = report.differences
    assert diff.field == "text" and diff.stored.startswith("rad ") and "BESLUT" in diff.stored
    db = store.url.removeprefix("sqlite:///")
    assert CliRunner().invoke(main, ["replay", "--all", "--db", db]).exit_code == 0
    strict = CliRunner().invoke(main, ["replay", "--all", "--db", db, "--strict"])
    assert strict.exit_code == 1 and "formulering" in strict.output


def test_csi_requests_replay_and_round_proposals_are_counted_apart(tmp_path):
    from stod.cli import main

    db = str(tmp_path / "csi.db")
    runner = CliRunner()
    round_file = str(EXAMPLES[0].parents[1] / "csi" / "round-example.json")
    assert runner.invoke(main, ["csi", "submit", round_file, "--date", "2026-07-31", "--db", db]).exit_code == 0
    ran = runner.invoke(main, ["csi", "round", "--term", "HT2026", "--date", "2026-06-05", "--db", db, "--json"])
    assert ran.exit_code == 0, ran.output
    results = json.loads(ran.output)["results"]
    report = replay_all(db)
    assert report.round_proposals == len(results) > 0
    assert report.identical == report.replayed == report.proposals - len(results) > 0 and report.ok


def test_a_program_fault_in_replay_is_named_as_one_and_an_engine_refusal_by_its_reason():
    from engine.errors import IntakeError
    from reports.replay import not_decided_again as _problem_of

    refused = IntakeError("received", "saknas; ange mottagningsdagen som ÅÅÅÅ-MM-DD", "ärende 3")
    assert _problem_of(refused) == f"kunde inte prövas igen: {refused}" and "IntakeError" not in _problem_of(refused)
    fault = _problem_of(KeyError("level"))
    assert fault.startswith("kunde inte prövas igen: ett fel i programmet (KeyError") and "systemförvaltningen" in fault
