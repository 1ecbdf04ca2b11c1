"""Benchmarks: prints one table of figures on this machine. Not part of the test run.

    .venv/bin/python bench/run.py                 # everything (PostgreSQL if STOD_BENCH_PG_URL is set)
    .venv/bin/python bench/run.py --only engine   # one section: engine, submit, replay, rss, check
    .venv/bin/python bench/run.py --quick         # smaller counts, for a smoke run

Figures are wall-clock on whatever else the machine is doing; run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from engine import api  # noqa: E402
from engine.area import load_area  # noqa: E402
from stod.services.demo_data import generate_applications  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []  # (what, figure, target, note)


def row(what, figure, target="", note=""):
    ROWS.append((what, figure, target, note))
    print(f"  {what}: {figure}  {note}", flush=True)


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def decision_day(app) -> date:
    return app.received + timedelta(days=14)


def models(count: int, seed: int = 7):
    return [api.read_application(raw)[0] for raw in generate_applications(count, seed=seed)]


# -- engine -------------------------------------------------------------------------------

def _engine_worker(args):
    count, seed, offset = args
    apps = models(count, seed + offset)
    area = load_area("verksamhetsstod")
    start = time.perf_counter()
    for app in apps:
        area.decide(app, decision_day(app))
    return count, time.perf_counter() - start


def bench_engine(n: int) -> None:
    print(f"engine: {n} generated applications", flush=True)
    apps = models(n)
    area = load_area("verksamhetsstod")
    for app in apps[:200]:  # compile every date binding before timing
        area.decide(app, decision_day(app))
    gc.collect()

    start = time.perf_counter()
    for app in apps:
        area.evaluate(app, decision_day(app))
    t_evaluate = time.perf_counter() - start
    facts = []
    for app in apps:
        ev = area.evaluate(app, decision_day(app))
        facts.append((ev.compiled.durable, ev.facts))
    gc.collect()
    gc.freeze()  # what is set up stays: the collector need not walk it while timing

    start = time.perf_counter()
    for app in apps:
        area.decide(app, decision_day(app))
    t_decide = time.perf_counter() - start

    start = time.perf_counter()
    for app in apps:
        area.decide(app, decision_day(app)).text
    t_text = time.perf_counter() - start

    start = time.perf_counter()
    for durable, f in facts:
        durable.fired(f)
    t_durable = time.perf_counter() - start

    row("engine: explained, cross-checked decisions, 1 core", f"{n / t_decide:,.0f}/s", "≥ 10,000/s",
        "facts + durable-rules + trace + agreement + findings with their Swedish texts")
    row("engine: the same plus the whole decision text, 1 core", f"{n / t_text:,.0f}/s", "",
        "the text is otherwise made when first read")
    row("engine: evaluation without text (facts, durable-rules, trace, agreement), 1 core", f"{n / t_evaluate:,.0f}/s")
    row("durable-rules assert_fact alone, same facts, 1 core", f"{n / t_durable:,.0f}/s")
    row("ratio full decision / durable-rules alone", f"{t_decide / t_durable:.1f}×", "≤ 2×")
    row("ratio evaluation without text / durable-rules alone", f"{t_evaluate / t_durable:.1f}×")

    workers = os.cpu_count() or 2
    with mp.get_context("fork").Pool(workers) as pool:
        share = n // workers
        start = time.perf_counter()
        results = pool.map(_engine_worker, [(share, 11, i) for i in range(workers)])
        wall = time.perf_counter() - start
    done = sum(c for c, _ in results)
    busiest = max(t for _, t in results)
    row(f"engine: explained decisions, {workers} cores", f"{done / busiest:,.0f}/s", "≥ 30,000/s",
        f"{done} decisions, slowest worker {busiest:.1f} s (wall incl. generating {wall:.1f} s)")


# -- RSS growth ---------------------------------------------------------------------------

def bench_rss(n: int) -> None:
    print(f"rss: {n} evaluations", flush=True)
    apps = models(2000, seed=3)
    area = load_area("verksamhetsstod")
    for app in apps:
        area.decide(app, decision_day(app))
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    for i in range(n):
        app = apps[i % len(apps)]
        area.decide(app, decision_day(app))
    gc.collect()
    after = rss_mb()
    row(f"RSS growth over {n:,} decisions", f"{after - before:+.1f} MB", "≤ 5 MB",
        f"{before:.0f} → {after:.0f} MB, {time.perf_counter() - start:.0f} s")


# -- cold stod check ----------------------------------------------------------------------

def bench_check() -> None:
    example = ROOT.parent / "shared" / "contract" / "verksamhetsstod" / "VS-EX-08.json"
    stod = ROOT / ".venv" / "bin" / "stod"
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(stod), "check", str(example), "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    times.sort()
    row("stod check, one file, cold process (median of 5)", f"{times[2]:.2f} s", "≤ 0.5 s",
        f"min {times[0]:.2f} s, max {times[-1]:.2f} s")


# -- end to end submit, replay ------------------------------------------------------------

def _submit_all(url: str, raws: list[dict]) -> float:
    from cases import workflow
    from cases.store import Store

    store = Store(url)
    start = time.perf_counter()
    for raw in raws:
        app, data = api.read_application(raw)
        workflow.submit(store, app, data, lambda a: api.decide(a, decision_day(a)), actor="bench")
    return time.perf_counter() - start


def bench_submit(n: int, url: str, label: str) -> None:
    print(f"submit: {n} into {label}", flush=True)
    raws = generate_applications(n, seed=21)
    wall = _submit_all(url, raws)
    target = "≥ 2,000/s" if label == "SQLite" else "≥ 1,000/s"
    row(f"end to end: submit {n:,} into {label} (intake, decision, store, events)", f"{n / wall:,.0f}/s", target,
        f"{wall:.1f} s, one process")


def bench_replay(n: int) -> None:
    from reports.replay import replay_all

    print(f"replay: storing {n} decisions first", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/replay.db"
        stored = _submit_all(url, generate_applications(n, seed=33))
        for workers in (1, 2):
            start = time.perf_counter()
            report = replay_all(url, workers=workers)
            wall = time.perf_counter() - start
            row(f"replay of {report.proposals:,} stored decisions, {workers} core(s)", f"{wall:.1f} s",
                "≤ 30 s on 2 cores" if workers == 2 else "",
                f"{report.identical:,} identical, {report.differing} differing, {report.text_only} text only"
                f" (storing them took {stored:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=["engine", "rss", "check", "submit", "replay"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    only = set(args.only or ["engine", "rss", "check", "submit", "replay"])
    scale = 0.05 if args.quick else 1.0

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, commit {_commit()}", flush=True)
    if "check" in only:
        bench_check()
    if "rss" in only:  # first, while the process holds nothing else
        bench_rss(int(1_000_000 * scale))
    if "engine" in only:
        bench_engine(int(100_000 * scale))
    if "submit" in only:
        with tempfile.TemporaryDirectory() as tmp:
            bench_submit(int(10_000 * scale), f"sqlite:///{tmp}/bench.db", "SQLite")
        if os.environ.get("STOD_BENCH_PG_URL"):
            bench_submit(int(10_000 * scale), os.environ["STOD_BENCH_PG_URL"], "PostgreSQL")
    if "replay" in only:
        bench_replay(int(100_000 * scale))

    table = Table(title=f"stodbeslut benchmarks — commit {_commit()}, {os.cpu_count()} cores")
    for col in ("what", "figure", "target", "note"):
        table.add_column(col, overflow="fold")
    for r in ROWS:
        table.add_row(*r)
    Console(width=160).print(table)


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
