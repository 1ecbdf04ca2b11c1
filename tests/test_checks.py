"""Static checks (`stod rules check`): rules/ is clean, and each kind of defect is caught."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.area import Area, load_area
from engine.checks import KINDS, check_area, satisfiable
from engine import conditions as C
from engine.errors import RuleFileError
from engine.yamlsource import DictSource, FolderSource, default_rules_root

BROKEN = Path(__file__).parent / "fixtures" / "broken_rules"
AREAS = [a for a in ("verksamhetsstod", "csi") if FolderSource(default_rules_root()).paths(a)]


def broken_area(case: str, area: str = "verksamhetsstod") -> Area:
    """The real rules of the area with the fixture's files laid over them, in memory."""
    root = default_rules_root()
    files = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in (root / area).rglob("*.yaml")}
    for p in (BROKEN / case).rglob("*.yaml"):
        files[str(p.relative_to(BROKEN / case))] = p.read_text(encoding="utf-8")
    return Area(area, DictSource(files))


@pytest.mark.parametrize("area", AREAS)
def test_rules_folder_has_no_defects(area):
    defects = check_area(load_area(area))
    assert defects == [], "\n".join(f"{d.where()} {d.subject}: {d.problem}" for d in defects)


# (fixture, kind, subject, words the problem must contain)
CASES = [
    ("level_gap", "level_table", "level_hours", "6 timmar men least_extensive_hours är 5"),
    ("level_twice", "level_table", "level_hours", "börjar båda vid 20 timmar"),
    ("level_numbering", "level_table", "level_hours", "numrera dem [1, 2, 3, 4]"),
    ("param_late_start", "parameter_dates", "least_extensive_hours", "inget värde från 2026-01-01 till 2026-02-28"),
    ("param_valid_to", "parameter_dates", "least_extensive_hours", "värdet från 2027-01-01 gäller aldrig"),
    ("param_valid_to", "parameter_dates", "least_extensive_hours", "inget värde från 2026-07-01 till tills vidare"),
    ("param_same_date", "parameter_dates", "least_extensive_hours", "två värden daterade 2027-01-01"),
    ("never_met", "constant_rule", "VS-S2", "inga indata kan göra regeln uppfylld"),
    ("never_not_met", "constant_rule", "VS-S2", "inga indata kan göra regeln ej uppfylld"),
    ("grades_crossed", "constant_rule", "VS-A3", "den 2027-01-01: inga indata kan göra regeln uppfylld"),
    ("group_contradiction", "group_contradiction", "VS-A1+VS-A4", "kan inte båda vara uppfyllda"),
    ("duplicate_condition", "duplicate_condition", "VS-A4", "samma villkor som VS-A1"),
    ("rule_version_gap", "rule_dates", "VS-K7", "ingen version av VS-K7 gäller från 2027-01-01 till 2027-02-28"),
]


# Refused while the files are read since issue 10 (a duplicate YAML key), before any static check.
LOAD_ERRORS = {"param_same_date"}


def _refused_on_load(case: str, words: str = "") -> None:
    with pytest.raises(RuleFileError) as refused:
        broken_area(case)
    assert words in str(refused.value) and refused.value.path.startswith("verksamhetsstod/")


@pytest.mark.parametrize("case,kind,subject,words", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_broken_tree_is_caught(case, kind, subject, words):
    if case in LOAD_ERRORS:
        _refused_on_load(case, words)
        return
    defects = check_area(broken_area(case))
    hits = [d for d in defects if d.kind == kind and d.subject == subject and words in d.problem]
    assert hits, f"{case}: expected a {kind} defect on {subject} saying {words!r}; got " + \
        "; ".join(f"{d.kind} {d.subject}: {d.problem}" for d in defects)
    assert hits[0].path.startswith("verksamhetsstod/")


@pytest.mark.parametrize("case", sorted({c[0] for c in CASES}))
def test_broken_tree_reports_only_its_own_defect(case):
    expected_kinds = {c[1] for c in CASES if c[0] == case}
    if case in LOAD_ERRORS:
        _refused_on_load(case)
        return
    found = {d.kind for d in check_area(broken_area(case))}
    assert found == expected_kinds


def test_every_kind_is_demonstrated():
    assert {c[1] for c in CASES} == set(KINDS)


def test_defects_point_at_the_line():
    (defect,) = [d for d in check_area(broken_area("never_met")) if d.subject == "VS-S2"]
    text = (BROKEN / "never_met" / defect.path).read_text().splitlines()
    assert "id: VS-S2" in text[defect.line - 1]


TYPES = {"h": "number", "n": "int", "b": "bool", "s": "str"}


@pytest.mark.parametrize("cond,expected", [
    (C.All((C.Compare("h", "ge", 10), C.Compare("h", "lt", 5))), False),
    (C.All((C.Compare("h", "ge", 5), C.Compare("h", "lt", 5))), False),
    (C.All((C.Compare("h", "ge", 5), C.Compare("h", "le", 5))), True),
    (C.All((C.Compare("h", "ge", 5), C.Compare("h", "le", 5), C.Compare("h", "ne", 5))), False),
    (C.All((C.Compare("h", "gt", 4), C.Compare("h", "lt", 5))), True),   # 4.5 is a number
    (C.All((C.Compare("n", "gt", 4), C.Compare("n", "lt", 5))), False),  # but no int lies there
    (C.All((C.Compare("n", "ge", 4), C.Compare("n", "le", 5), C.Compare("n", "ne", 4))), True),
    (C.All((C.Compare("n", "ge", 4), C.Compare("n", "le", 5), C.Compare("n", "ne", 4), C.Compare("n", "ne", 5))), False),
    (C.All((C.Compare("b", "ne", True), C.Compare("b", "ne", False))), False),
    (C.All((C.Compare("s", "eq", "a"), C.Compare("s", "in", ("b", "c")))), False),
    (C.All((C.Compare("s", "ne", "a"), C.Compare("s", "ne", "b"))), True),
    (C.All((C.AnyOf((C.Compare("h", "lt", 1), C.Compare("h", "gt", 9))), C.Compare("h", "ge", 2),
            C.Compare("h", "le", 8))), False),
    (C.All((C.Always(False),)), False),
    (C.Always(True), True),
])
def test_interval_reasoning(cond, expected):
    assert satisfiable(cond, TYPES) is expected


def test_cli_rules_check_json_and_exit_codes(tmp_path):
    from stod.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["rules", "check", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["defects"] == []

    root = default_rules_root()
    for p in (root / "verksamhetsstod").rglob("*.yaml"):
        target = tmp_path / p.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    for p in (BROKEN / "never_met").rglob("*.yaml"):
        (tmp_path / p.relative_to(BROKEN / "never_met")).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    bad = runner.invoke(main, ["rules", "check", "--rules", str(tmp_path), "--area", "verksamhetsstod", "--json"])
    assert bad.exit_code == 1, bad.output
    kinds = {(d["kind"], d["subject"]) for d in json.loads(bad.output)["defects"]}
    assert ("constant_rule", "VS-S2") in kinds
    table = runner.invoke(main, ["rules", "check", "--rules", str(tmp_path), "--area", "verksamhetsstod"])
    assert table.exit_code == 1 and "VS-S2" in table.output
