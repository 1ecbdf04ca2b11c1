"""Instructions per explained decision, counted by valgrind: a figure that does not move with load.

Wall-clock figures on this machine move by ±10 % from run to run; the CPU instructions a case
takes do not (hash randomisation is fixed). This counts them for ``stod check --json``'s work
per file (``services.check.explained_json``: bytes in, indented JSON out) and for each stage
of it, as the difference between a run that decides N applications more and one that does
not, so start-up, imports and generating the applications cancel out.

    .venv/bin/python bench/instructions.py              # the whole path, its stages, and storing
    .venv/bin/python bench/instructions.py --only all   # the whole path only (two valgrind runs)
    .venv/bin/python bench/instructions.py --only store # preparing and storing a decided case (cases.batch), SQLite

To compare commits, run it in a worktree of each (``git worktree add /tmp/old <commit>``,
then ``cd /tmp/old && /path/to/.venv/bin/python bench/instructions.py``): it imports the
code of the folder it is run from. Needs valgrind (Debian: ``apt-get install valgrind``); a run
under valgrind is ≈ 50 times slower, so N is small.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("read", "evaluate", "explain", "letter", "all")
WARM, COUNT = 300, 500

# Run under valgrind: decide WARM applications (caches and date bindings filled), then COUNT more
# up to the stage named; with --count 0 it stops after the warm-up.
WORKER = r'''
import gc, json, sys
from datetime import date, timedelta
sys.path.insert(0, ".")
from engine import api
from engine.area import load_area
from engine.decision import build_decision
from stod.services.check import explained_json, read_checked
raws = json.load(open(sys.argv[1]))
blobs = [json.dumps(r, ensure_ascii=False, indent=2).encode() for r in raws]
days = [date.fromisoformat(r["received"]) + timedelta(days=14) for r in raws]
warm, count, stage = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for b, d in zip(blobs[:warm], days): explained_json(b, d)
area = load_area("verksamhetsstod")
gc.collect(); gc.freeze()
for b, d in zip(blobs[warm:warm + count], days[warm:warm + count]):
    if stage == "all":
        explained_json(b, d)
        continue
    app, day = read_checked(b, d)
    if stage == "read":
        continue
    ev = area.evaluate(app, day)
    if stage == "evaluate":
        continue
    decision = build_decision(ev)
    if stage == "explain":
        continue
    decision.text
'''


# Run under valgrind: decide WARM + COUNT applications, prepare WARM for storing and store them
# into a new SQLite store (a chunk per transaction, as stod submit does); then, with "prepare",
# prepare the COUNT others (``cases.batch.prepare``: the content hash, the JSON texts, the
# proposal's events and their hashes, made where stod submit decides), and with "store" also
# store them. The differences between the runs are what preparing and storing them cost.
STORE_WORKER = r'''
import json, sys, tempfile
from datetime import date, timedelta
sys.path.insert(0, ".")
from engine import api
from cases.batch import CHUNK, Received, prepare, store_received
from cases.store import Store
raws = json.load(open(sys.argv[1]))
warm, count, stage = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
items = []
for raw in raws[:warm + count]:
    app, data = api.read_application(dict(raw))
    decision = api.decide(app, date.fromisoformat(raw["received"]) + timedelta(days=14))
    decision.text
    items.append(Received(data, decision, source="a.json"))
for item in items[:warm]:
    prepare(item)
with tempfile.TemporaryDirectory() as tmp:
    store = Store(f"sqlite:///{tmp}/bench.db")
    for i in range(0, warm, CHUNK):
        store_received(store, items[i:min(i + CHUNK, warm)])
    if stage in ("prepare", "store"):
        for item in items[warm:]:
            prepare(item)
    if stage == "store":
        for i in range(warm, warm + count, CHUNK):
            store_received(store, items[i:i + CHUNK])
    store.dispose()
'''


def instructions(applications: str, count: int, stage: str, worker: str = WORKER) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", worker, applications, str(WARM), str(count), stage],
                          capture_output=True, text=True, cwd=os.getcwd(), env=env)
    for line in done.stderr.splitlines():
        if "I   refs:" in line or "I refs:" in line:
            return int(line.rsplit(":", 1)[1].replace(",", "").strip())
    raise SystemExit(f"valgrind gave no instruction count (exit {done.returncode}):\n{done.stderr[-1500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=(*STAGES, "store"), action="append")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind): nothing was counted")
    sys.path.insert(0, str(ROOT))
    import json

    from stod.services.demo_data import generate_applications

    wanted = args.only or [*STAGES, "store"]
    with tempfile.TemporaryDirectory() as tmp:
        applications = str(Path(tmp) / "applications.json")
        Path(applications).write_text(json.dumps(generate_applications(WARM + COUNT, seed=7), ensure_ascii=False))
        print(f"code from {os.getcwd()}; {COUNT} generated applications after {WARM} to warm up; valgrind, "
              f"PYTHONHASHSEED=0", flush=True)
        base = instructions(applications, 0, "all") if set(wanted) & set(STAGES) else 0
        before = 0
        for stage in STAGES:
            if stage not in wanted:
                continue
            total = (instructions(applications, COUNT, stage) - base) // COUNT
            what = "the summary and its JSON" if stage == "all" else "this stage"
            step = f" (+{total - before:,} for {what})" if not args.only else ""
            print(f"  {stage:9s} {total:>11,} instructions per application{step}", flush=True)
            before = total
        if "store" in wanted:  # not a stage of the explained path: what storing a decided case adds
            decided, prepared, stored = (instructions(applications, COUNT, stage, STORE_WORKER)
                                         for stage in ("decided", "prepare", "store"))
            print(f"  {'prepare':9s} {(prepared - decided) // COUNT:>11,} instructions per case prepared for storing "
                  "(cases.batch.prepare: content hash, JSON texts, the proposal's events and hashes)", flush=True)
            print(f"  {'store':9s} {(stored - prepared) // COUNT:>11,} instructions per case stored (cases.batch "
                  "into SQLite, one transaction per chunk)", flush=True)
            print(f"  {'both':9s} {(stored - decided) // COUNT:>11,} instructions per case: what stod submit does "
                  "beyond deciding (and the letter's text)", flush=True)


if __name__ == "__main__":
    main()
