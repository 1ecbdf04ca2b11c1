"""Mutation testing of the engine core with mutmut (issue 16, item 3). Not part of the test run.

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python bench/mutation.py                 # every module below, 2 processes
    .venv/bin/python bench/mutation.py -j 1 --module engine/dates.py
    .venv/bin/python bench/mutation.py --keep          # leave the scratch copy to look at mutants

The engine core is the condition evaluation and the generated trace (``engine/conditions.py``),
the amount computation (``engine/areas/verksamhetsstod/facts.py``) and the date arithmetic
(``engine/dates.py``). Engine files move:
``MODULES`` is the one list to update (a path that no longer exists is reported, not skipped
silently). mutmut runs in a scratch copy of the repository (with ``../shared`` linked where
the tests look for it), never in the working tree; each mutant runs only the tests that reach the mutated
function, chosen by mutmut from a first run of ``TESTS``.

mutmut forks each mutant's test run from one warm process, so anything the engine caches
(loaded areas, compiled rulesets with their generated trace code, memoised facts) would carry
the unmutated results into every mutant. ``CACHE_CLEARING`` is added to the scratch copy's
``tests/conftest.py`` and empties those caches at the start of each test session.

Prints the counts (killed, survived, no test reached it, timeout) and the score, and writes each
surviving mutant's diff to ``out/mutation-survivors.txt``. Survivors that are equivalent
mutants (no input can tell them apart) are listed, with the reason, in ``EQUIVALENT``; they
are reported but do not lower the score of the rest.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = Path(sys.executable).with_name("mutmut")

# The engine core. Update these paths when engine files move.
MODULES = [
    "engine/conditions.py",  # conditions: parsing, resolving, negation, durable-rules form, the trace
    "engine/dates.py",       # months, school months, document ages
    "engine/areas/verksamhetsstod/facts.py",  # the period and amount computation of verksamhetsstöd
]
# The tests mutants must fail: fast, in-process, and between them every rule of the core.
TESTS = [
    "tests/test_engine_core.py",
    "tests/test_engine_mutants.py",
    "tests/test_contract_vs.py",
    "tests/test_contract_csi.py",
    "tests/test_features_vs.py",
    "tests/test_features_csi.py",
    "tests/test_checks.py",
    "tests/test_csi_round.py",
]
# The rest of the project, copied beside the mutated package so the tests run as usual.
ALSO_COPY = ["cases", "stod", "reports", "rules", "features", "tests", "pyproject.toml"]

# Surviving mutants that no input can tell apart from the original, with the reason.
# Keys are mutmut's names (module.x_function__mutmut_N); they change when the code does.
EQUIVALENT: dict[str, str] = {
    "engine.conditions.x_suggest__mutmut_8": "get_close_matches without n=1: only the best match, close[0], is used",
    "engine.conditions.x_suggest__mutmut_11": "n=2 instead of n=1: only the best match, close[0], is used",
    "engine.conditions.x_to_trace__mutmut_25": "the file name of the generated trace code appears only in a traceback",
    "engine.conditions.x_to_trace__mutmut_26": "the file name of the generated trace code appears only in a traceback",
}
# Mutants that no test reaches are counted as "no tests" and left out of the score (before
# issue 8's restructuring these were the five of the dead ``conditions.facts_of``).

CACHE_CLEARING = '''

# -- added by bench/mutation.py: each mutant's test session starts with empty engine caches --
def pytest_sessionstart(session):
    import functools
    import gc
    import sys

    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", "").startswith("engine"):
            obj.cache_clear()
    area = sys.modules.get("engine.area")
    for cache in ("_AREAS", "_BY_FINGERPRINT", "_RECENT"):
        if area is not None and isinstance(getattr(area, cache, None), dict):
            getattr(area, cache).clear()
    explain = sys.modules.get("engine.explain")
    if explain is not None:
        explain._TEMPLATES.clear()  # each template keeps the texts it rendered
'''


def _config(modules: list[str]) -> str:
    packages = sorted({m.split("/")[0] for m in modules})
    lines = ["[mutmut]", "source_paths=", *[f"    {p}" for p in packages],
             "only_mutate=", *[f"    {m}" for m in modules],
             "also_copy=", *[f"    {p}" for p in ALSO_COPY],
             "pytest_add_cli_args_test_selection=", *[f"    {t}" for t in TESTS]]
    return "\n".join(lines) + "\n"


def scratch_copy(modules: list[str]) -> Path:
    base = Path(tempfile.mkdtemp(prefix="stod-mutation-"))
    work = base / "repo"
    work.mkdir()
    # mutmut runs the tests in work/mutants/, so the tests' ../shared is work/shared.
    (work / "shared").symlink_to((ROOT.parent / "shared").resolve())
    for name in sorted({m.split("/")[0] for m in modules} | set(ALSO_COPY)):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        else:
            shutil.copy(source, work / name)
    with open(work / "tests" / "conftest.py", "a", encoding="utf-8") as conftest:
        conftest.write(CACHE_CLEARING)
    (work / "setup.cfg").write_text(_config(modules), encoding="utf-8")
    return work


def results(work: Path) -> dict[str, list[str]]:
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work, capture_output=True, text=True)
    by_status: dict[str, list[str]] = {}
    for line in out.stdout.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            by_status.setdefault(match.group(2).strip(), []).append(match.group(1))
    return by_status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=2, help="mutants side by side (default 2)")
    parser.add_argument("--module", action="append", help="only these of MODULES (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()
    modules = args.module or MODULES
    missing = [m for m in modules if not (ROOT / m).is_file()]
    if missing:
        print(f"no such module (update MODULES in bench/mutation.py): {', '.join(missing)}", file=sys.stderr)
        return 2
    if not MUTMUT.exists():
        print("mutmut is not installed: .venv/bin/pip install -e '.[test,mutation]'", file=sys.stderr)
        return 2
    work = scratch_copy(modules)
    start = time.monotonic()
    env = {**os.environ, "STOD_DATABASE_URL": "", "STOD_TEST_PG_URL": ""}
    run = subprocess.run([str(MUTMUT), "run", "--max-children", str(args.jobs)], cwd=work, env=env,
                         capture_output=True, text=True)
    seconds = time.monotonic() - start
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", file=sys.stderr)
        print(f"mutmut run failed (exit {run.returncode}); scratch copy kept at {work}", file=sys.stderr)
        return 1
    by_status = results(work)
    survived = by_status.get("survived", [])
    equivalent = [m for m in survived if m in EQUIVALENT]
    real = [m for m in survived if m not in EQUIVALENT]
    counted = {status: len(names) for status, names in sorted(by_status.items())}
    judged = sum(counted.values()) - len(equivalent) - counted.get("no tests", 0)
    killed = counted.get("killed", 0) + counted.get("timeout", 0)
    print(f"modules: {', '.join(modules)}")
    print(f"mutants: {sum(counted.values())}  " + "  ".join(f"{k}: {v}" for k, v in counted.items()))
    print(f"equivalent (explained in EQUIVALENT): {len(equivalent)}")
    print(f"score: {killed}/{judged} = {100 * killed / max(judged, 1):.1f} % killed "
          f"(equivalent and unreached mutants left out), {seconds:.0f} s with {args.jobs} processes")
    report = ROOT / "out" / "mutation-survivors.txt"
    report.parent.mkdir(exist_ok=True)
    with open(report, "w", encoding="utf-8") as out:
        for name in survived + by_status.get("no tests", []):
            diff = subprocess.run([str(MUTMUT), "show", name], cwd=work, capture_output=True, text=True).stdout
            reason = EQUIVALENT.get(name, "SURVIVED" if name in survived else "NO TEST REACHES IT")
            out.write(f"== {name}: {reason}\n{diff}\n")
    print(f"surviving mutants with their diffs: {report}")
    for name in real:
        print(f"  survived: {name}")
    if args.keep:
        print(f"scratch copy: {work}")
    else:
        shutil.rmtree(work.parent, ignore_errors=True)
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main())
