"""Rule coverage (`stod coverage`): documented met and not met, and figures from production."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from reports.common import load_areas
from reports.coverage import build_coverage, coverage_html
from test_audit import build_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("coverage") / "stod.db")
    yield store
    store.dispose()


def write_run(path, rules: dict) -> str:
    path.write_text(json.dumps(rules), encoding="utf-8")
    return str(path)


def test_documented_met_and_not_met_from_the_test_run(tmp_path):
    ids = [rid for a in load_areas() for rid in a.rule_ids()]
    run = {rid: {"met": [f"x.feature: {rid} ja"], "not_met": [f"x.feature: {rid} nej"], "not_applicable": [],
                 "tagged": [f"x.feature: {rid} ja", f"x.feature: {rid} nej"]} for rid in ids}
    run["VS-K4"]["not_met"] = []
    run.pop("VS-A2")
    report = build_coverage(coverage_file=write_run(tmp_path / "run.json", run), features_root=tmp_path)
    assert {r.rule_id for r in report.rules} == set(ids)
    assert report.missing() == [("VS-A2", "met"), ("VS-A2", "not_met"), ("VS-K4", "not_met")]
    assert report.period is None and report.never_decisive() == []


def test_tags_parsed_from_features(tmp_path):
    folder = tmp_path / "verksamhetsstod"
    folder.mkdir()
    (folder / "a.feature").write_text("# language: sv\nEgenskap: A\n\n  @VS-K1 @VS-K2\n  Scenario: Ett\n"
                                      "    Givet x\n\n  Scenariomall: Två\n    Givet <y>\n\n    @VS-K1\n"
                                      "    Exempel:\n      | y |\n      | 1 |\n", encoding="utf-8")
    report = build_coverage(features_root=tmp_path, coverage_file=tmp_path / "none.json")
    by_id = {r.rule_id: r for r in report.rules}
    assert by_id["VS-K1"].tagged == ["verksamhetsstod/a.feature: Ett", "verksamhetsstod/a.feature: Två"]
    assert by_id["VS-K2"].tagged == ["verksamhetsstod/a.feature: Ett"] and by_id["VS-K3"].tagged == []


def test_production_counts_match_the_findings(store, tmp_path):
    with store.read() as session:
        report = build_coverage(session=session, features_root=tmp_path, coverage_file=tmp_path / "none.json")
    with store.engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT rule_id, count(*) FROM findings WHERE decisive GROUP BY rule_id")).all())
        proposals = conn.execute(text("SELECT count(*) FROM decisions WHERE kind='proposal'")).scalar()
        overridden = conn.execute(text(
            "SELECT f.rule_id FROM decisions d JOIN findings f ON f.decision_id=d.proposal_id AND f.decisive "
            "WHERE d.override_reason_code IS NOT NULL")).scalars().all()
    assert report.period["proposals"] == proposals
    for r in report.rules:
        if r.area != "verksamhetsstod":
            continue
        p = r.production
        assert p["decisive"] == counts.get(r.rule_id, 0), r.rule_id
        assert p["met"] + p["not_met"] + p["not_applicable"] + p["info"] == proposals, r.rule_id
        assert p["overrides"] == overridden.count(r.rule_id), r.rule_id
    assert overridden and all(r.production["override_codes"] == {"SARSKILDA_SKAL": 1}
                              for r in report.rules if r.rule_id in overridden)
    never = report.never_decisive()
    assert "VS-I1" in never and "VS-I2" in never  # info rules never decide
    assert set(never) == {r.rule_id for r in report.rules if r.area == "verksamhetsstod" and not counts.get(r.rule_id)}
    assert not any(rid.startswith("CSI-") for rid in never)  # no CSI proposals stored: not judged
    assert report.overrides[0]["reason_code"] == "SARSKILDA_SKAL"


def test_period_filters_production(store, tmp_path):
    with store.read() as session:
        part = build_coverage(session=session, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30),
                              features_root=tmp_path, coverage_file=tmp_path / "none.json")
    with store.engine.connect() as conn:
        expected = conn.execute(text("SELECT count(*) FROM decisions WHERE kind='proposal' AND "
                                     "decision_date BETWEEN '2026-01-01' AND '2026-06-30'")).scalar()
    assert part.period["proposals"] == expected > 0


def test_html_is_self_contained(store, tmp_path):
    with store.read() as session:
        html = coverage_html(build_coverage(session=session, features_root=tmp_path,
                                            coverage_file=tmp_path / "none.json"))
    assert "<script" not in html and " src=" not in html and "VS-K1" in html and "Aldrig avgörande" in html


def test_cli_coverage_exit_codes(store, tmp_path):
    from stod.cli import main

    db = store.url.removeprefix("sqlite:///")
    ids = [rid for a in load_areas() for rid in a.rule_ids()]
    full = {rid: {"met": ["a"], "not_met": ["b"]} for rid in ids}
    runner = CliRunner()
    ok = runner.invoke(main, ["coverage", "--db", db, "--coverage-file", write_run(tmp_path / "ok.json", full),
                              "--html", str(tmp_path / "c.html"), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["missing"] == [] and (tmp_path / "c.html").is_file()
    full.pop("VS-K7")
    bad = runner.invoke(main, ["coverage", "--db", db, "--coverage-file", write_run(tmp_path / "bad.json", full)])
    assert bad.exit_code == 1 and "VS-K7" in bad.output


def test_same_reading_as_the_test_run(tmp_path):
    """Only tagged scenario instances count; for amount rules 'not applied' is the other side."""
    ids = [rid for a in load_areas() for rid in a.rule_ids()]
    run = {rid: {"met": ["f: ja"], "not_met": ["f: nej"], "not_applicable": [], "tagged": ["f: ja", "f: nej"]}
           for rid in ids}
    run["VS-K1"]["tagged"] = ["f: ja"]  # its not-met scenario is not tagged with it
    run["VS-L1"].update(not_met=[], not_applicable=["f: nej"])  # amount rule: not applied counts
    run["VS-K2"].update(not_met=[], not_applicable=["f: nej"])  # completeness rule: it does not
    report = build_coverage(coverage_file=write_run(tmp_path / "run.json", run), features_root=tmp_path)
    assert report.missing() == [("VS-K1", "not_met"), ("VS-K2", "not_met")]


def test_outline_instances_named_like_the_test_run():
    from reports.features import parse_feature

    feature = parse_feature("Egenskap: F\n  @VS-A3\n  Scenariomall: Årskurs <årskurs> omfattas\n    Givet x <årskurs>\n"
                            "    Exempel:\n      | årskurs |\n      | 0 |\n      | 9 |\n", "vs/f.feature")
    (scenario,) = feature.scenarios
    assert scenario.instance_names() == ["Årskurs 0 omfattas", "Årskurs 9 omfattas"]
    assert scenario.rule_ids() == ["VS-A3"] and scenario.steps[0].text == "x <årskurs>"
