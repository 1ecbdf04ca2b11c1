"""Every dated parameter value is guarded by a test that fails when it changes (tests/param_guard.py).

The whole check runs a test session per mutant (minutes), so it runs in CI (``CI=true``, as
``.ci/run`` is started) or when ``STOD_PARAM_GUARD=1``; anywhere else it is skipped with that
reason. How the mutants are made is tested here always.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import param_guard as guard

ROOT = Path(__file__).resolve().parent.parent
RUN_ALL = os.environ.get("CI") == "true" or os.environ.get("STOD_PARAM_GUARD") == "1"


def test_the_smallest_steps():
    assert [n for _, n in guard.changes(12, "int", [])] == [11, 13]
    assert [n for _, n in guard.changes(30, "number", [])] == [29.5, 30.5]
    assert [n for _, n in guard.changes(0.75, "number", [])] == [0.74, 0.76]
    assert [n for _, n in guard.changes("08-01", "str", [])] == ["07-01", "09-01"]
    assert [n for _, n in guard.changes("03-31", "str", [])] == ["02-28", "04-30"]
    assert [n for _, n in guard.changes("12-17", "str", [])] == ["11-17"]
    codes = ["a", "b", "c"]
    assert [n for _, n in guard.changes(["b"], ("list", "str"), codes)] == [[], ["b", "a"]]
    table = guard.type_tree("list[record{level:int,from_hours:number}]")
    steps = [w for w, _ in guard.changes([{"level": 4, "from_hours": 30}], table, [])]
    assert steps == ["[0].level 4 -> 3", "[0].level 4 -> 5", "[0].from_hours 30 -> 29.5", "[0].from_hours 30 -> 30.5"]
    ranges = guard.type_tree("record{grades:list[int]}")
    assert [n for _, n in guard.changes({"grades": [4, 6]}, ranges, [])] == [
        {"grades": [3, 6]}, {"grades": [5, 6]}, {"grades": [4, 5]}, {"grades": [4, 7]}]


def test_every_dated_value_of_every_parameter_file_has_mutants():
    mutants = guard.mutants()
    covered = {(m.file, m.when) for m in mutants}
    for path in sorted(ROOT.glob("rules/*/parameters/*.yaml")):
        if path.name == "index.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for when in doc["values"]:
            assert (path.relative_to(ROOT / "rules").as_posix(), str(when)) in covered, f"{path.name} @{when}"


def test_a_date_moves_only_where_the_value_changes():
    moved = [m.name for m in guard.mutants() if "in force from" in m.where]
    assert any("monthly_amount_by_level @2027-01-01 in force from 2027-02-01" in n for n in moved)
    assert not any("level_hours" in n for n in moved)  # the same table both years: moving its date changes nothing


@pytest.mark.skipif(not RUN_ALL, reason="minutes of test runs: runs in CI (CI=true) or with STOD_PARAM_GUARD=1")
def test_every_dated_parameter_value_is_guarded():
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "param_guard.py"), "-j", "2"],
                            capture_output=True, text=True, cwd=ROOT, timeout=3600)
    print(result.stdout[-2000:])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
