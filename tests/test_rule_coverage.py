"""The rule-coverage checker catches a rule that no scenario shows met or not met."""
from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.feature import get_features

from engine.area import load_area
from steps.coverage import REPORT_FOLDERS, RULE_TAG, Registry, missing_coverage

FEATURES = Path(__file__).resolve().parents[1] / "features"
A, B = "f.feature: scenario A", "f.feature: scenario B"


def entry(met=(), not_met=(), not_applicable=(), tagged=()):
    return {"met": list(met), "not_met": list(not_met), "not_applicable": list(not_applicable),
            "tagged": list(tagged)}


def test_a_rule_shown_met_and_not_met_by_tagged_scenarios_is_covered():
    assert missing_coverage(["VS-K1"], {"VS-K1": entry(met=[A], not_met=[B], tagged=[A, B])}) == []


def test_a_rule_never_shown_met_is_named():
    problems = missing_coverage(["VS-K1"], {"VS-K1": entry(not_met=[B], tagged=[A, B])})
    assert problems == ["VS-K1: no scenario tagged @VS-K1 shows it met"]


def test_a_rule_never_shown_not_met_is_named():
    problems = missing_coverage(["VS-K1", "VS-K2"], {"VS-K1": entry(met=[A], not_met=[B], tagged=[A, B]),
                                                     "VS-K2": entry(met=[A], tagged=[A])})
    assert problems == ["VS-K2: no scenario tagged @VS-K2 shows it not met"]


def test_a_rule_without_any_record_or_tag_lacks_everything():
    problems = missing_coverage(["VS-I2"], {})
    assert problems == ["VS-I2: no scenario is tagged @VS-I2",
                        "VS-I2: no scenario tagged @VS-I2 shows it met",
                        "VS-I2: no scenario tagged @VS-I2 shows it not met"]


def test_a_status_seen_in_a_scenario_not_tagged_with_the_rule_does_not_count():
    problems = missing_coverage(["VS-K1"], {"VS-K1": entry(met=[A], not_met=[B], tagged=[B])})
    assert problems == ["VS-K1: no scenario tagged @VS-K1 shows it met"]


def test_not_applied_counts_as_not_met_only_for_rules_whose_failure_decides_nothing():
    coverage = {"VS-L1": entry(met=[A], not_applicable=[B], tagged=[A, B]),
                "VS-K2": entry(met=[A], not_applicable=[B], tagged=[A, B])}
    assert missing_coverage(["VS-L1", "VS-K2"], coverage, absence_counts_as_not_met=["VS-L1"]) == [
        "VS-K2: no scenario tagged @VS-K2 shows it not met"]


def test_a_tag_naming_no_rule_is_reported():
    problems = missing_coverage(["VS-K1"], {"VS-K1": entry(met=[A], not_met=[B], tagged=[A, B]),
                                            "VS-K9": entry(tagged=[A])})
    assert problems == [f"VS-K9: scenarios are tagged @VS-K9 but no rule has that id ({A})"]


def test_the_registry_keeps_records_only_when_committed_and_writes_every_list():
    registry = Registry()
    registry.pending += [("VS-K1", "met", A), ("VS-K1", "tagged", A)]
    assert registry.as_json(["VS-K1"]) == {"VS-K1": entry()}
    registry.commit()
    registry.pending.append(("VS-K1", "not_met", B))  # its scenario failed: never committed
    assert registry.as_json(["VS-K1", "VS-K2"]) == {"VS-K1": entry(met=[A], tagged=[A]), "VS-K2": entry()}


@pytest.mark.parametrize("area", sorted(p.name for p in FEATURES.iterdir()
                                        if p.is_dir() and any(p.glob("*.feature")) and p.name not in REPORT_FOLDERS))
def test_every_rule_of_an_area_with_features_is_tagged_in_them(area):
    """A quick static check; the full check (met and not met) runs at the end of a full test run."""
    tags = {tag for feature in get_features([str(FEATURES / area)])
            for scenario in feature.scenarios.values() for tag in scenario.tags | feature.tags}
    rule_ids = load_area(area).rule_ids()
    assert [rid for rid in rule_ids if rid not in tags] == []
    assert sorted(t for t in tags if RULE_TAG.match(t) and t not in rule_ids) == []
