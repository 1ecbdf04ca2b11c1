#!/usr/bin/env python3
"""Build the wheel, install it into a fresh virtual environment outside the checkout, and use it.

    python .ci/wheel_check.py [--keep]

1. ``pip wheel --no-deps`` a copy of the checkout's tracked files in a temporary folder; the wheel must hold every
   tracked module, template, static file and rule file, and exactly the owned top-level names;
2. a fresh venv (outside the checkout) gets the wheel with its dependencies;
3. from a temporary working folder (so nothing of the checkout is importable): ``stod --version``
   names the installed rules and no collision; ``stod check --json`` on a contract example gives
   its expected result (``../shared/contract`` beside the checkout, else the copy in
   ``tests/fixtures/wheel``); ``STOD_RULES_DIR`` overrides the installed rules; ``stod demo`` runs.

Exit 0 when all holds, 1 with the failed step named otherwise. ``.ci/run`` runs it, and so does
``tests/test_packaging.py`` with ``STOD_TEST_WHEEL=1``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWNED = ("cases", "engine", "reports", "stod")
FIELDS = ("outcome", "decisive_rules", "amount_sek", "level", "granted_period")
EXAMPLE = "VS-EX-01"
DECISION_DATE = date(2026, 11, 22)  # the date tests/test_contract_vs.py decides the examples on


def contract_dir() -> Path:
    shared = ROOT.parent / "shared" / "contract" / "verksamhetsstod"
    return shared if (shared / "expected.json").is_file() else ROOT / "tests" / "fixtures" / "wheel"


def run(args, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    print("$", " ".join(str(a) for a in args), flush=True)
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"wheel check: {' '.join(str(a) for a in args[:3])} … failed with exit {done.returncode}")
    return done


def tracked(*patterns: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def clean_copy(target: Path) -> Path:
    """The tracked files the wheel is built from, copied out: as a clean clone has them.

    Building in the checkout itself would leave ``build/`` there, and setuptools puts whatever
    ``build/lib`` still holds from an earlier build (a deleted module) into the next wheel.
    """
    for path in tracked("setup.py", "pyproject.toml", "README.md", "rules", *OWNED):
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, destination)
    return target


def check_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    top = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/top_level.txt"))).decode()
    if sorted(top.split()) != sorted(OWNED):
        raise SystemExit(f"wheel check: top-level names {top.split()} are not the owned {list(OWNED)}")
    wanted = [p for p in tracked(*OWNED) if "/tests/" not in p]
    wanted += [f"stod/{p}" for p in tracked("rules") if p.endswith(".yaml")]
    missing = [p for p in wanted if p not in names]
    if missing:
        raise SystemExit(f"wheel check: the wheel lacks {len(missing)} files, e.g. {missing[:5]}")
    print(f"wheel holds all {len(wanted)} tracked package and rule files; top level {sorted(OWNED)}")


def main(keep: bool = False) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="stod-wheel-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STOD_", "PYTHON", "VIRTUAL_ENV"))}
    try:
        source = clean_copy(scratch / "src")
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", scratch / "dist", source], cwd=scratch)
        wheel = next((scratch / "dist").glob("stodbeslut-*.whl"))
        check_contents(wheel)
        venv = scratch / "venv"
        run([sys.executable, "-m", "venv", venv], cwd=scratch)
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=scratch)
        work = scratch / "work"
        work.mkdir()
        stod = venv / "bin" / "stod"

        version = run([stod, "--version"], cwd=work, env=env).stdout
        print(version.strip())
        if str(venv) not in version or "verksamhetsstod:" not in version or "namnkrock" in version:
            raise SystemExit("wheel check: stod --version does not name the installed rules, or names a collision")

        contract = contract_dir()
        expected = json.loads((contract / "expected.json").read_text(encoding="utf-8"))[EXAMPLE]
        got = json.loads(run([stod, "check", "--json", "--date", DECISION_DATE.isoformat(),
                              contract / f"{EXAMPLE}.json"], cwd=work, env=env).stdout)
        if {k: got[k] for k in FIELDS} != expected:
            raise SystemExit(f"wheel check: {EXAMPLE} gave {({k: got[k] for k in FIELDS})}, expected {expected}")
        print(f"stod check {contract / EXAMPLE}.json: {got['outcome']} {got['amount_sek']} kr, as expected")

        third = ROOT / "tests" / "fixtures" / "third_area" / "rules"
        overridden = run([stod, "--version"], cwd=work, env={**env, "STOD_RULES_DIR": str(third)}).stdout
        if "skolskjuts:" not in overridden or "verksamhetsstod:" in overridden:
            raise SystemExit("wheel check: STOD_RULES_DIR does not override the installed rules")

        demo = run([stod, "demo"], cwd=work, env=env).stdout
        if not (work / "stod.db").is_file() or "stod queue" not in demo:
            raise SystemExit("wheel check: stod demo made no store")
        queue = run([stod, "queue", "--date", "2027-12-31"], cwd=work, env=env).stdout
        print(f"stod demo from the wheel: stod.db {(work / 'stod.db').stat().st_size // 1024} KiB, "
              f"queue {len(queue.splitlines())} lines")
        print("wheel check: ok")
        return 0
    finally:
        if keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(keep="--keep" in sys.argv[1:]))
