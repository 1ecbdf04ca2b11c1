"""Benchmarks: prints one table of figures on this machine. Not part of the test run.

    .venv/bin/python bench/run.py                 # everything (PostgreSQL if STOD_BENCH_PG_URL is set)
    .venv/bin/python bench/run.py --only explained   # one section (see --help for the list)
    .venv/bin/python bench/run.py --quick            # smaller counts, for a smoke run
    .venv/bin/python bench/run.py --scale 0.25       # a quarter of the counts (RSS still over 1M decisions)

Figures are wall-clock on whatever else the machine is doing; each row says the load average
when it was measured. Figures that are compared (old/new paths, the reference rows, one and
two workers) are measured in the same run, in alternating rounds, best of several.
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
sys.path.insert(0, str(ROOT / "bench"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from engine import api  # noqa: E402
from engine.area import load_area  # noqa: E402
from engine.parallel import available_cores  # noqa: E402
from stod.services.demo_data import generate_applications  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []  # (what, figure, target, note)
STOD = [sys.executable, "-m", "stod"]


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def row(what, figure, target="", note=""):
    note = f"{note}; {load()}" if note else load()
    ROWS.append((what, figure, target, note))
    print(f"  {what}: {figure}  {note}", flush=True)


def best_of(rounds: int, *runs):
    """Each run timed ``rounds`` times, the runs alternating; the best time of each."""
    best = [float("inf")] * len(runs)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


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


# -- the explained path: bytes in, JSON out -----------------------------------------------

def bench_explained(n: int, rounds: int) -> None:
    """stod check --json's work per application, against a hand-written decision and durable-rules."""
    import json

    from reference import reference_for
    from stod.services.check import explained_json

    print(f"explained: {n} generated applications, best of {rounds} alternating rounds, one process", flush=True)
    raws = generate_applications(n, seed=7)
    blobs = [json.dumps(raw, ensure_ascii=False, indent=2).encode() for raw in raws]
    days = [date.fromisoformat(raw["received"]) + timedelta(days=14) for raw in raws]
    area = load_area("verksamhetsstod")
    reference = reference_for(area, min(days) - timedelta(days=14))
    apps = [api.read_application(b)[0] for b in blobs]
    facts = []
    for app, day in zip(apps, days):
        ev = area.evaluate(app, day)
        facts.append((ev.compiled.durable, ev.facts))
    agree = sum(json.loads(reference.decide(b, d))["outcome"] == area.decide(a, d).outcome
                for b, d, a in zip(blobs[:500], days, apps))
    for b, d in zip(blobs[:300], days):  # every date binding compiled before timing
        explained_json(b, d)
    gc.collect()
    gc.freeze()

    def full():
        for b, d in zip(blobs, days):
            explained_json(b, d)

    def handwritten():
        for b, d in zip(blobs, days):
            reference.decide(b, d)

    def durable_alone():
        for durable, f in facts:
            durable.fired(f)

    def decide_alone():
        for app, d in zip(apps, days):
            area.decide(app, d)

    tmp = tempfile.TemporaryDirectory()
    paths = _written(Path(tmp.name), blobs)
    grouped = _check_files_run(paths, max(days))()  # its date's bindings compiled before timing
    t_full, t_ref, t_dr, t_decide, t_files1, t_files = best_of(
        rounds, full, handwritten, durable_alone, decide_alone, _check_files_run(paths, max(days), 1),
        _check_files_run(paths, max(days)))
    tmp.cleanup()
    gc.unfreeze()
    _explained_rows(n, agree, grouped, t_full, t_ref, t_dr, t_decide, t_files1, t_files)
    _explained_stages(blobs, days, rounds)


def _explained_rows(n: int, agree: int, grouped: int, t_full: float, t_ref: float, t_dr: float, t_decide: float,
                    t_files1: float, t_files: float) -> None:
    row("explained path, bytes → intake → decision → JSON (stod check --json's work), 1 core", f"{n / t_full:,.0f}/s",
        "≥ 3,500/s", f"{t_full / n * 1e6:,.0f} µs a case")
    row("reference: hand-written explained decision in plain Python (bench/reference.py), 1 core",
        f"{n / t_ref:,.0f}/s", "", f"{t_ref / n * 1e6:,.0f} µs a case; same outcome as the product for {agree} of 500")
    row("reference: durable-rules assert_fact alone, same facts, 1 core", f"{n / t_dr:,.0f}/s", "",
        f"{t_dr / n * 1e6:,.0f} µs a case")
    row("engine alone: area.decide on parsed applications, 1 core", f"{n / t_decide:,.0f}/s", "",
        f"{t_decide / n * 1e6:,.0f} µs a case")
    row("ratio explained path / hand-written reference", f"{t_ref / t_full:.2f}", "≥ 0.6")
    row("ratio explained path / durable-rules alone", f"{t_dr / t_full:.2f}", "≥ 0.2")
    row(f"stod check --json of the same {n:,} applications as files, in one process, --workers 1 "
        f"(stod.batch.check_files, files read, one JSON array): in groups of {grouped}, stage by stage",
        f"{n / t_files:,.0f}/s", "≥ 3,500/s",
        f"{t_files / n * 1e6:,.0f} µs a case; file by file {n / t_files1:,.0f}/s ({t_files1 / n * 1e6:,.0f} µs); "
        f"ratios to the references {t_ref / t_files:.2f} and {t_dr / t_files:.2f}")


def _written(folder: Path, blobs: list[bytes]) -> list[str]:
    """Each application's bytes as a file of its own in ``folder``: their paths, in order."""
    paths = []
    for i, b in enumerate(blobs):
        paths.append(str(folder / f"{i:05d}.json"))
        Path(paths[-1]).write_bytes(b)
    return paths


def _check_files_run(paths: list[str], day: date, group: int | None = None):
    """A run of ``stod check --json``'s work on many files in this process (``stod.batch.check_files``,
    one worker): in the product's groups (``group`` None), or in groups of ``group`` (1: file by
    file). The run returns the size of the groups it used."""
    from stod import batch

    def run():
        product = batch.GROUP
        batch.GROUP = product if group is None else group
        try:
            batch.check_files(paths, day, 1, True)
            return batch.GROUP
        finally:
            batch.GROUP = product
    return run


def _explained_stages(blobs: list[bytes], days: list[date], rounds: int) -> None:
    """Where a case's time goes on the explained path: each stage timed alone on the same files."""
    from engine.decision import build_decision
    from stod.services.check import read_checked

    area = load_area("verksamhetsstod")
    read = [read_checked(b, d) for b, d in zip(blobs, days)]
    evaluations = [area.evaluate(app, day) for app, day in read]
    decisions = [build_decision(ev) for ev in evaluations]
    fired = [(ev.compiled.durable, ev.facts) for ev in evaluations]

    def each(fn, items):
        return lambda: [None for item in items if fn(*item) is None]  # nothing kept: no garbage to collect

    stages = {
        "reading (bytes → checked application: JSON, pupil-data scan, limits, pydantic, intake checks)":
            each(read_checked, list(zip(blobs, days))),
        "evaluating (facts, durable-rules, the trace of every rule, cross-check)": each(area.evaluate, read),
        "  of which durable-rules (assert_fact and its actions)": each(lambda dr, f: dr.fired(f), fired),
        "explaining (status, outcome, a finding with its Swedish sentence per rule)":
            each(build_decision, [(ev,) for ev in evaluations]),
        "the letter's text": each(lambda d: d._render(d), [(d,) for d in decisions]),
        "summary and JSON out (orjson, indented)": each(api.summary_json, [(d,) for d in decisions]),
    }
    gc.collect()
    gc.freeze()
    times = best_of(rounds, *stages.values())
    together = _stages_in_turn(area, list(zip(blobs, days)), rounds)
    gc.unfreeze()
    for (what, _), t in zip(stages.items(), times):
        row(f"where the time goes: {what}", f"{t / len(blobs) * 1e6:,.0f} µs", "", "one stage alone, best of rounds")
    row("the same stages in turn for each case, as the path runs them (reading, evaluating, explaining, "
        "the letter, JSON)", " + ".join(f"{t * 1e6:,.0f}" for t in together) + f" = {sum(together) * 1e6:,.0f} µs",
        "", "each stage slower than alone on the same instructions (bench/instructions.py): the "
        "difference is how the CPU runs them when the stages alternate, not more work")


def _stages_in_turn(area, items: list, rounds: int) -> list[float]:
    """Seconds per case of each stage when every case runs all of them in turn (best round)."""
    from engine.decision import build_decision
    from stod.services.check import read_checked

    clock, best = time.perf_counter, None
    for _ in range(rounds):
        spent = [0.0] * 5
        for body, day in items:
            t0 = clock()
            app, on = read_checked(body, day)
            t1 = clock()
            ev = area.evaluate(app, on)
            t2 = clock()
            decision = build_decision(ev)
            t3 = clock()
            decision.text  # rendered here, kept for the summary
            t4 = clock()
            api.summary_json(decision)
            t5 = clock()
            for i, took in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                spent[i] += took
        if best is None or sum(spent) < sum(best):
            best = spent
    return [t / len(items) for t in best]


# -- command line: check and submit of many files, one and two workers ---------------------

def _files(folder: Path, n: int, seed: int) -> list[str]:
    import json

    paths = []
    for i, raw in enumerate(generate_applications(n, seed=seed)):
        path = folder / f"{i:05d}.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    return paths


def _run(*args: str) -> None:
    """Run stod with its output to a file, as ``stod check … --json > out.json`` would: no reader
    (this process, through a pipe) takes a core from it."""
    env = {k: v for k, v in os.environ.items() if k != "STOD_DATABASE_URL"}
    with tempfile.TemporaryFile() as out:
        done = subprocess.run([*STOD, *args], stdout=out, stderr=subprocess.PIPE, env=env)
    if done.returncode != 0:
        raise SystemExit(f"stod {' '.join(args[:1])} failed: {done.stderr.decode()[-500:]}")


def bench_cli(n: int, rounds: int) -> None:
    print(f"cli: stod check --json / stod submit of {n} files, best of {rounds} alternating rounds", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = _files(Path(tmp), n, seed=21)
        counter = iter(range(1000))

        def check(workers, files=paths):
            return lambda: _run("check", *files, "--json", "--date", "2027-12-31", "--workers", str(workers))

        def submit(workers):
            return lambda: _run("submit", *paths, "--date", "2027-12-31", "--workers", str(workers),
                                "--db", f"{tmp}/submit-{next(counter)}.db")

        c1, s1, c2, s2 = best_of(rounds, check(1), submit(1), check(2), submit(2))
        few = paths[:500]  # fixed costs (process start, loading the rules, starting the workers) weigh more
        f1, f2 = best_of(rounds, check(1, few), check(2, few)) if len(few) < n else (c1, c2)

        from cases.store import Store
        from stod.batch import check_files
        from stod.services.submit import submit_files

        def check_here(workers=1):
            return lambda: check_files(paths, date(2027, 12, 31), workers, True)

        def submit_here():
            store = Store(f"sqlite:///{tmp}/here-{next(counter)}.db")
            submit_files(store, paths, date(2027, 12, 31), workers=1)
            store.dispose()

        check_here()()  # every date binding compiled before timing
        lc, ls, lc2 = best_of(rounds, check_here(), submit_here, check_here(2))
        (Path(tmp) / "many").mkdir()  # five times as many files: the process start weighs less
        many = _files(Path(tmp) / "many", 5 * n, seed=22)
        m1, m2 = best_of(max(2, rounds - 1), check(1, many), check(2, many))
    note = "one process start included"
    row(f"stod check --json of {n:,} files, --workers 1", f"{n / c1:,.0f}/s", "", note)
    row(f"stod submit of the same {n:,} files into SQLite, --workers 1", f"{n / s1:,.0f}/s", "", note)
    row("ratio submit / check, --workers 1", f"{c1 / s1:.2f}", "≥ 0.67")
    row("the same in one process (stod.batch.check_files / services.submit.submit_files, no process start), --workers 1",
        f"{n / lc:,.0f}/s / {n / ls:,.0f}/s", "", f"ratio submit / check {lc / ls:.2f}")
    row("check of the same files in one process (stod.batch.check_files, no process start), --workers 2",
        f"{n / lc2:,.0f}/s", "", f"speed-up {lc / lc2:.2f}× over --workers 1 in one process")
    row(f"stod check --json of {n:,} files, --workers 2", f"{n / c2:,.0f}/s", "", note)
    row(f"stod submit of {n:,} files into SQLite, --workers 2", f"{n / s2:,.0f}/s", "", note)
    row("ratio submit / check, --workers 2 (each command's default on two cores)", f"{c2 / s2:.2f}", "",
        "the target is read with --workers 1 above: storing's cost against deciding's")
    row("speed-up check --workers 2 / --workers 1", f"{c1 / c2:.2f}×", "≥ 1.7× (2 idle cores)", f"{n:,} files")
    row(f"speed-up check --workers 2 / --workers 1, {len(many):,} files", f"{m1 / m2:.2f}×", "≥ 1.7× (2 idle cores)",
        f"{len(many) / m1:,.0f}/s / {len(many) / m2:,.0f}/s; {note}: it weighs less")
    if len(few) < n:
        row(f"speed-up check --workers 2 / --workers 1, {len(few)} files", f"{f1 / f2:.2f}×", "",
            f"{len(few) / f1:,.0f}/s / {len(few) / f2:,.0f}/s; {note}")
    row("speed-up submit --workers 2 / --workers 1", f"{s1 / s2:.2f}×")


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
    """RSS over n explained decisions (bytes in, JSON out, the letter's text included) of 10,000
    different applications in turn: every cache the path keeps must stay bounded."""
    import json

    from stod.services.check import explained_json

    print(f"rss: {n} explained decisions of 10,000 different applications", flush=True)
    raws = generate_applications(10_000, seed=3)
    blobs = [json.dumps(raw, ensure_ascii=False).encode() for raw in raws]
    days = [date.fromisoformat(raw["received"]) + timedelta(days=14) for raw in raws]
    for b, d in zip(blobs, days):
        explained_json(b, d)
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    for i in range(n):
        explained_json(blobs[i % len(blobs)], days[i % len(days)])
    gc.collect()
    after = rss_mb()
    row(f"RSS growth over {n:,} explained decisions (10,000 different applications)", f"{after - before:+.1f} MB",
        "≤ 5 MB", f"{before:.0f} → {after:.0f} MB, {time.perf_counter() - start:.0f} s")


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

def _submit_all(url: str, raws: list[dict], workers: int = 1) -> float:
    """Submit through the product's path (stod.services.submit.submit_files): files read, decided, stored in chunks."""
    import json

    from cases.store import Store
    from stod.services.submit import submit_files

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, raw in enumerate(raws):
            path = Path(tmp) / f"{i:05d}.json"
            path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        store = Store(url)
        start = time.perf_counter()
        report = submit_files(store, paths, date(2027, 12, 31), workers=workers)
        wall = time.perf_counter() - start
        store.dispose()
    assert report.failed == 0, [r["error"] for r in report.results if not r["ok"]][:3]
    return wall


def _fresh_pg(url: str, schema: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def bench_submit(n: int, url_of, label: str, rounds: int) -> None:
    """Submit end to end with one worker and two, alternating, best of ``rounds`` (each run into a
    new store from ``url_of(workers, round)``): on a shared machine one run says little."""
    print(f"submit: {n} into {label}, one process and two, best of {rounds} alternating rounds", flush=True)
    raws = generate_applications(n, seed=21)
    target = "≥ 2,000/s" if label == "SQLite" else "≥ 1,000/s"
    default = available_cores()  # what --workers is when not given
    walls = {1: [], 2: []}
    for r in range(rounds):
        for workers in walls:
            walls[workers].append(_submit_all(url_of(workers, r), raws, workers))
    for workers, runs in walls.items():
        wall = min(runs)
        row(f"end to end: submit {n:,} files into {label} (read, intake, decision, store, events), "
            f"--workers {workers}" + (" (the default here)" if workers == default else ""), f"{n / wall:,.0f}/s",
            target if workers == min(2, default) else "",
            f"{wall:.1f} s; best of {rounds}, each run {', '.join(f'{n / w:,.0f}' for w in runs)}/s")


def bench_replay(n: int, rounds: int) -> None:
    from reports.replay import replay_all
    from reports.whatif import whatif
    from cases.store import open_store
    from engine.yamlsource import default_rules_root

    print(f"replay: storing {n} decisions first", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/replay.db"
        stored = _submit_all(url, generate_applications(n, seed=33))
        reports = {}

        def replay(workers):
            def run():
                reports[workers] = replay_all(url, workers=workers)
            return run

        r1, r2 = best_of(rounds, replay(1), replay(2))
        for workers, wall in ((1, r1), (2, r2)):
            report = reports[workers]
            row(f"replay --all of {report.proposals:,} stored decisions, --workers {workers}", f"{wall:.1f} s",
                "≤ 30 s for 100k on 2 cores" if workers == 2 else "",
                f"{report.proposals / wall:,.0f}/s; {report.identical:,} identical, {report.differing} differing, "
                f"{report.text_only} text only (storing them took {stored:.0f} s)")
        row("speed-up replay --workers 2 / --workers 1", f"{r1 / r2:.2f}×", "≥ 1.7× (2 idle cores)")

        store = open_store(url)

        def what_if(workers):
            def run():
                with store.read() as session:
                    whatif(session, default_rules_root(), workers=workers)
            return run

        w1, w2 = best_of(rounds, what_if(1), what_if(2))
        store.dispose()
        row(f"whatif of {n:,} stored cases (the current rules as the proposal), --workers 1 / 2",
            f"{w1:.1f} s / {w2:.1f} s", "", f"speed-up {w1 / w2:.2f}×")


SECTIONS = ["check", "rss", "explained", "cli", "engine", "submit", "replay"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=SECTIONS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale", type=float, help="Counts times this (1 by default, 0.05 with --quick); "
                                                    "the RSS row always runs 1,000,000 decisions.")
    args = parser.parse_args()
    only = set(args.only or SECTIONS)
    scale = args.scale or (0.05 if args.quick else 1.0)
    rounds = 2 if args.quick else 5

    # As an installed wheel is (and as the README's setup leaves a checkout): the rows that start
    # `stod` processes measure deciding, not compiling the project's source in every process.
    subprocess.run([sys.executable, "-m", "compileall", "-q", *(str(ROOT / p) for p in ("engine", "stod", "cases"))],
                   check=True, capture_output=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, commit {_commit()}, {load()} at the start", flush=True)
    if "check" in only:
        bench_check()
    if "rss" in only:  # first, while the process holds nothing else
        bench_rss(int(1_000_000 * (scale if args.quick else 1.0)))
    if "explained" in only:
        bench_explained(int(20_000 * scale), rounds)
    if "cli" in only:
        bench_cli(int(2_000 * scale), max(2, rounds - 2))
    if "engine" in only:
        bench_engine(int(100_000 * scale))
    if "submit" in only:
        with tempfile.TemporaryDirectory() as tmp:
            bench_submit(int(10_000 * scale), lambda w, r: f"sqlite:///{tmp}/bench-{w}-{r}.db", "SQLite", max(2, rounds - 2))
        if os.environ.get("STOD_BENCH_PG_URL"):
            pg = os.environ["STOD_BENCH_PG_URL"]
            bench_submit(int(10_000 * scale), lambda w, r: _fresh_pg(pg, f"bench_submit_{w}"), "PostgreSQL",
                         max(2, rounds - 2))
    if "replay" in only:
        bench_replay(int(20_000 * scale), max(2, rounds - 2))

    table = Table(title=f"stodbeslut benchmarks — commit {_commit()}, {os.cpu_count()} cores, {load()} at the end")
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
