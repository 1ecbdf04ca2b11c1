"""What-if: stored applications decided with a proposed rules tree; nothing is stored."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine.yamlsource import default_rules_root
from reports.whatif import whatif
from test_audit import build_store
from test_replay import changed_rules


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("whatif") / "stod.db")
    yield store
    store.dispose()


def row_counts(store) -> tuple:
    with store.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                     for t in ("cases", "applications", "decisions", "findings", "events", "ruleset_versions"))


def latest_proposals(store) -> dict:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT case_id, outcome, amount_sek FROM decisions WHERE id IN "
                                 "(SELECT max(id) FROM decisions WHERE kind='proposal' GROUP BY case_id)")).all()
    return {case_id: (outcome, amount or 0) for case_id, outcome, amount in rows}


def test_same_rules_change_nothing(store, tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(default_rules_root(), root)
    with store.read() as session:
        report = whatif(session, root)
    before = latest_proposals(store)
    assert report.cases == len(before) and report.changed == 0 and report.transitions == {}
    assert report.money_before == report.money_after == sum(a for _, a in before.values())


def test_higher_hour_threshold_turns_grants_into_avslag(store, tmp_path):
    counts = row_counts(store)
    with store.read() as session:
        report = whatif(session, changed_rules(tmp_path), sample_size=3)
    assert row_counts(store) == counts  # nothing stored
    before = latest_proposals(store)
    granted = [c for c, (o, _) in before.items() if o in ("bifall", "delvis_bifall")]
    assert report.changed >= 1 and sum(report.transitions.values()) == report.changed
    assert all(key.endswith("→avslag") for key in report.transitions), report.transitions
    assert report.money_after < report.money_before == sum(a for _, a in before.values())
    assert report.cases == len(before) and report.changed <= len(granted)
    sample = report.sample[0]
    assert sample.after_outcome == "avslag" and any(r.startswith("VS-S2:") and "25 timmar" in r
                                                    for r in sample.after_reasons)
    assert sample.before_reasons and len(report.sample) == min(3, report.changed)


def test_period_limits_the_cases(store, tmp_path):
    with store.read() as session:
        everything = whatif(session, changed_rules(tmp_path))
        from datetime import date
        part = whatif(session, changed_rules(tmp_path / "b"), date(2026, 1, 1), date(2026, 6, 30))
    assert 0 < part.cases < everything.cases


def test_cli_whatif(store, tmp_path):
    from stod.cli import main

    db = store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["whatif", "--rules", str(changed_rules(tmp_path)), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["money_difference"] == data["money_after"] - data["money_before"] < 0
    table = CliRunner().invoke(main, ["whatif", "--rules", str(changed_rules(tmp_path / "c")), "--db", db])
    assert table.exit_code == 0 and "→avslag" in table.output and "Beviljat belopp före" in table.output


def test_csi_round_proposals_are_left_out(tmp_path):
    from stod.cli import main
    from test_audit import CONTRACT

    db = str(tmp_path / "csi.db")
    runner = CliRunner()
    round_file = str(CONTRACT.parent / "csi" / "round-example.json")
    assert runner.invoke(main, ["csi", "submit", round_file, "--date", "2026-07-31", "--db", db]).exit_code == 0
    ran = runner.invoke(main, ["csi", "round", "--term", "HT2026", "--date", "2026-06-05", "--db", db, "--json"])
    placed = len(json.loads(ran.output)["results"])
    from cases.store import open_store

    csi_store = open_store(db)
    with csi_store.read() as session:
        report = whatif(session, default_rules_root())
    csi_store.dispose()
    assert report.round_cases == placed and report.changed == 0 and report.errors == []


def test_cli_whatif_says_in_swedish_which_cases_a_tree_without_their_area_cannot_decide(store, tmp_path):
    """A proposed tree without an area's rules: each case of that area is named, in Swedish, with
    the area's Swedish name (as the web page says it: one wording, made by ``reports.whatif``)."""
    from stod.cli import main

    root = tmp_path / "bara-csi"
    shutil.copytree(default_rules_root(), root)
    shutil.rmtree(root / "verksamhetsstod")
    db = store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["whatif", "--rules", str(root), "--db", db])
    assert "det föreslagna regelverket har inga regler för verksamhetsstöd" in result.output, result.output
    assert "proposed tree" not in result.output and "Traceback" not in result.output


def test_a_case_the_proposed_rules_cannot_read_is_named_and_the_rest_are_decided(store, tmp_path):
    """Cases are decided a few at a time, stage by stage (``engine.parallel.in_stages``): one whose
    stored application can no longer be read is reported on its own, in Swedish, and every other
    case, before and after it in its group, is decided as with the rules unchanged."""
    from cases.store import open_store

    import sqlite3

    copy = tmp_path / "kopia.db"
    with sqlite3.connect(store.url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # the log's pages too
    broken = open_store(f"sqlite:///{copy}")
    with broken.engine.begin() as conn:
        case_id = conn.execute(text("SELECT case_id FROM decisions WHERE kind='proposal' ORDER BY id LIMIT 1 OFFSET 2")
                               ).scalar_one()
        conn.execute(text("UPDATE applications SET raw='{\"kind\": \"verksamhetsstod\"}' WHERE case_id=:c"),
                     {"c": case_id})
    root = tmp_path / "rules"
    shutil.copytree(default_rules_root(), root)
    with broken.read() as session:
        report = whatif(session, root)
    broken.dispose()
    assert [e["case_id"] for e in report.errors] == [case_id]
    problem = report.errors[0]["problem"]
    assert problem.startswith("kunde inte prövas igen: ") and "received: saknas" in problem, problem
    assert report.cases == len(latest_proposals(store)) and report.changed == 0
