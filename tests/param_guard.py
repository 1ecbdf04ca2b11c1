"""Every dated parameter value guarded by a test that fails when it changes (issue 16, item 2).

For each parameter file under ``rules/<area>/parameters/`` and each dated value in it, the
check makes the smallest change (a mutant) in a scratch copy of ``rules/``, points the product
at the copy with ``STOD_RULES_DIR`` and runs the contract and feature tests; at least one of
them must fail. The smallest changes are:

- a whole number: one up and one down (amounts, months, days, grades, capacities, levels);
- a decimal number (``number`` in the file's ``type``): ±0.5 for a whole value (hours are given
  in halves), else ±1 in its last decimal (a share 0.75 becomes 0.74 and 0.76);
- a list of codes: each code removed, and the next code of the area that is not in the list added;
- a month-day text (``"08-01"``): one month on and one month back;
- a date on which a value comes into force (other than the first): one month on and one month
  back, when the value differs from the one before it;
- any other text (an id, a name): changed.

A mutant that the product refuses to load, or that its static checks flag, counts as guarded
(the validation or ``stod rules check`` guards it). The
unchanged copy must pass first, or every mutant would look guarded. Each value no test guards
is named; the exit code is 1 when there is one, 0 when every value is guarded.

Each mutant runs ``pytest`` in a child forked from a worker that has imported pytest and the
product already, so a mutant costs the tests, not the interpreter start; ``-j`` workers run
side by side (default 2, the machine's cores).

    python tests/param_guard.py                  # every value, 2 processes
    python tests/param_guard.py --only level_hours --only csi/terms
    python tests/param_guard.py --list           # the mutants, nothing run

Measured at the merge of issue 8 (2 cores shared with other work, load ≈ 7): 310 mutants, all
guarded, 876 s wall with 2 processes, 11 min of CPU in all (so about 6 minutes on an idle
2-core machine). The static checks caught 24, the contract tests 207, the features 79.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
# The tests a mutant of an area's parameters must fail: the area's contract and feature tests
# (``<area>`` as it is named in tests/test_contract_<short>.py and tests/test_features_<short>.py).
# The tests a mutant of an area's parameters must fail, in stages: the product's static checks
# of the rule tree (``stod rules check``: a level table that no longer starts at the least hours
# is guarded by them) and the contract tests first, which are quick to start; the feature tests
# only for a mutant that survives those.
STATIC_CHECKS = "tests/test_checks.py::test_rules_folder_has_no_defects"
STAGES = {"verksamhetsstod": [[STATIC_CHECKS, "tests/test_contract_vs.py"], ["tests/test_features_vs.py"]],
          "csi": [[STATIC_CHECKS, "tests/test_contract_csi.py"], ["tests/test_features_csi.py"]]}


def stages_for(area: str) -> list[list[str]]:
    """The test stages of an area; for an area not listed, every contract and feature test."""
    def every(pattern: str) -> list[str]:
        return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob(pattern))
    return STAGES.get(area, [[STATIC_CHECKS, *every("test_contract_*.py")], every("test_features_*.py")])


TIMEOUT_S = 300
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass
class Mutant:
    file: str  # relative to rules/, e.g. "verksamhetsstod/parameters/level_hours.yaml"
    when: str  # the date the changed value is in force from
    where: str  # what changed, e.g. "[3].from_hours 30 -> 30.5"
    document: dict = field(repr=False)

    @property
    def area(self) -> str:
        return self.file.split("/")[0]

    @property
    def name(self) -> str:
        return f"{self.file.replace('/parameters/', '/').removesuffix('.yaml')} @{self.when} {self.where}"


# -- the value types of a parameter file (``type: list[record{level:int,from_hours:number}]``) --


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch in "[{") - (ch in "]}")
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return parts + ([current.strip()] if current.strip() else [])


def type_tree(text: str):
    """``"map[int,list[str]]"`` -> ``("map", "int", ("list", "str"))``; records give a dict."""
    text = text.strip()
    if text.startswith("list[") and text.endswith("]"):
        return ("list", type_tree(text[5:-1]))
    if text.startswith("map[") and text.endswith("]"):
        key, value = _split(text[4:-1])
        return ("map", type_tree(key), type_tree(value))
    if text.startswith("record{") and text.endswith("}"):
        return {name.strip(): type_tree(t) for name, _, t in (p.partition(":") for p in _split(text[7:-1]))}
    return text


# -- the smallest changes of one value ---------------------------------------------------------


def _number_steps(value, kind: str) -> list:
    if isinstance(value, bool):
        return [not value]
    if kind == "number":
        if float(value).is_integer():
            return [value - 0.5, value + 0.5]
        decimals = len(repr(float(value)).split(".")[1])
        step = 10 ** -decimals
        return [round(value - step, decimals), round(value + step, decimals)]
    return [value - 1, value + 1]


def _month_day_steps(text: str) -> list[str]:
    month, day = (int(x) for x in MONTH_DAY.match(text).groups())
    out = []
    for m in (month - 1, month + 1):
        if 1 <= m <= 12:
            last = (dt.date(2026 + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
            out.append(f"{m:02d}-{min(day, last):02d}")
    return out


def changes(value, kind, codes: list[str], top: bool = True):
    """Yield (where, new value) for each smallest change of ``value`` of declared type ``kind``.

    An item is removed from a list of codes, or from a list that is the whole value; a list
    inside a record (``grades: [4, 6]``, a range) keeps its length.
    """
    if isinstance(kind, dict):  # a record
        for name, sub in kind.items():
            for where, new in changes(value[name], sub, codes, top=False):
                yield f".{name}{where}", {**value, name: new}
        return
    if isinstance(kind, tuple) and kind[0] == "list":
        for i, item in enumerate(value):
            if not isinstance(item, (dict, list)) and (top or kind[1] == "str"):
                yield f" without {item!r}", value[:i] + value[i + 1:]
            if kind[1] == "str":  # a code: removing it and adding the next one are the changes
                continue
            for where, new in changes(item, kind[1], codes, top=False):
                yield f"[{i}]{where}", value[:i] + [new] + value[i + 1:]
        if kind[1] == "str" and all(isinstance(v, str) for v in value):
            extra = next((c for c in codes if c not in value), None)
            if extra is not None:
                yield f" with {extra!r}", value + [extra]
        return
    if isinstance(kind, tuple) and kind[0] == "map":
        if kind[2] == ("list", "str"):  # lists of codes: the next code is one of the other lists'
            codes = sorted({code for item in value.values() for code in item})
        for key, item in value.items():
            for where, new in changes(item, kind[2], codes, top=False):
                yield f"[{key!r}]{where}", {**value, key: new}
        return
    if kind in ("int", "number", "bool"):
        for new in _number_steps(value, kind):
            yield f" {value!r} -> {new!r}", new
        return
    if kind == "str":
        if MONTH_DAY.match(value):
            for new in _month_day_steps(value):
                yield f" {value!r} -> {new!r}", new
        elif value in codes:  # a code: the next code of the area
            new = codes[(codes.index(value) + 1) % len(codes)]
            yield f" {value!r} -> {new!r}", new
        else:
            yield f" {value!r} -> {value + 'X'!r}", value + "X"
        return
    raise ValueError(f"no smallest change for type {kind!r}")


def _area_codes(area_dir: Path) -> list[str]:
    """Every code of the area: the texts in its parameters that are lists of codes."""
    found: set[str] = set()
    for path in sorted((area_dir / "parameters").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if type_tree(str(doc.get("type", ""))) == ("list", "str"):
            for entry in (doc.get("values") or {}).values():
                found.update(entry.get("value") or [])
    return sorted(found)


def _shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def mutants(rules: Path = RULES) -> list[Mutant]:
    out: list[Mutant] = []
    for area_dir in sorted(p for p in rules.iterdir() if (p / "parameters").is_dir()):
        codes = _area_codes(area_dir)
        for path in sorted((area_dir / "parameters").glob("*.yaml")):
            if path.name == "index.yaml":
                continue
            rel = path.relative_to(rules).as_posix()
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            kind = type_tree(doc["type"])
            dates = sorted(doc["values"])
            for n, when in enumerate(dates):
                value = doc["values"][when]["value"]
                for where, new in changes(value, kind, codes):
                    changed = copy.deepcopy(doc)
                    changed["values"][when]["value"] = new
                    out.append(Mutant(rel, str(when), where.strip(), changed))
                if n and value != doc["values"][dates[n - 1]]["value"]:
                    for months in (1, -1):
                        moved = _shift_month(when, months)
                        changed = copy.deepcopy(doc)
                        changed["values"] = {(moved if d == when else d): v for d, v in doc["values"].items()}
                        out.append(Mutant(rel, str(when), f"in force from {moved}", changed))
    return out


# -- running the tests against one mutant ----------------------------------------------------


def _warm() -> None:
    """Import what every child needs once, in the worker (the children are forked from it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path.insert(0, str(ROOT / "tests"))
    import pytest  # noqa: F401
    import pytest_bdd  # noqa: F401

    import engine.api  # noqa: F401
    import stod.cli  # noqa: F401


def _pytest_in_child(rules: Path, log: Path, tests: list[str], cache: Path) -> int:
    """Fork; the child runs pytest on ``tests`` with STOD_RULES_DIR=rules; the exit code."""
    pid = os.fork()
    if pid == 0:  # the child
        code = 3
        try:
            os.chdir(ROOT)
            os.environ["STOD_RULES_DIR"] = str(rules)
            os.environ.pop("STOD_TEST_PG_URL", None)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest

            code = int(pytest.main([*tests, "-x", "-q", "-rf", "-p", "no:randomly", "-o", f"cache_dir={cache}"]))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -signal.SIGKILL
        time.sleep(0.05)


def run_one(task: tuple[Mutant | None, list[list[str]]]) -> tuple[str, int, str, float]:
    """Run the test stages on one mutant (None: the unchanged rules), stopping at the first that
    fails. (name, exit code, first failing test, seconds)."""
    mutant, stages = task
    start = time.monotonic()
    code, text = 0, ""
    with tempfile.TemporaryDirectory(prefix="param-guard-") as scratch:
        tree = Path(scratch) / "rules"
        shutil.copytree(RULES, tree)
        if mutant is not None:
            (tree / mutant.file).write_text(
                yaml.safe_dump(mutant.document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        log = Path(scratch) / "pytest.log"
        for tests in stages:
            code = _pytest_in_child(tree, log, tests, Path(scratch) / "cache")
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            if code != 0:
                break
    failed = next((line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("FAILED ")), "")
    if code not in (0, 1):
        lines = text.strip().splitlines()
        failed = failed or (lines[-1] if lines else "no output")
    return ("unchanged rules" if mutant is None else mutant.name), code, failed, time.monotonic() - start


def guard(selected: list[Mutant], jobs: int, out=print) -> list[str]:
    """Run every mutant; print one line each; return the names of the values no test guards."""
    areas = sorted({m.area for m in selected})
    every = [list(dict.fromkeys(t for area in areas for stage in stages_for(area) for t in stage))]
    unguarded: list[str] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"), initializer=_warm) as pool:
        name, code, failed, seconds = pool.submit(run_one, (None, every)).result()
        if code != 0:
            raise SystemExit(f"the unchanged rules do not pass the tests (exit {code}): {failed}")
        out(f"unchanged rules: tests pass ({seconds:.1f} s)")
        for name, code, failed, seconds in pool.map(run_one, [(m, stages_for(m.area)) for m in selected]):
            if code == 1:
                out(f"guarded    {name}  ({failed}; {seconds:.1f} s)")
            elif code == 0:
                out(f"UNGUARDED  {name}")
                unguarded.append(name)
            else:
                out(f"ERROR      {name}  (pytest exit {code}: {failed})")
                unguarded.append(f"{name} (pytest exit {code})")
    return unguarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="processes side by side (default 2)")
    parser.add_argument("--only", action="append", default=[],
                        help="only mutants whose name contains this text (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    selected = [m for m in mutants() if not args.only or any(o in m.name for o in args.only)]
    if args.list:
        for m in selected:
            print(m.name)
        print(f"{len(selected)} mutants")
        return 0
    if not selected:
        print("no mutant matches --only", file=sys.stderr)
        return 2
    start = time.monotonic()
    unguarded = guard(selected, max(1, args.jobs))
    print(f"\n{len(selected) - len(unguarded)} of {len(selected)} mutants caught by a test, "
          f"{time.monotonic() - start:.0f} s with {args.jobs} processes")
    if unguarded:
        print("values no test guards:\n  " + "\n  ".join(unguarded))
        return 1
    print("every dated parameter value is guarded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
