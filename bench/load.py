"""A bounded load on two ``stod serve`` processes over one PostgreSQL database (127.0.0.1 only).

    STOD_BENCH_PG_URL=postgresql+psycopg://stod@127.0.0.1:55440/stod_x .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 30 --principals 3 --caseworkers 3 --servers 2

Starts the servers on a fresh schema of that database (``STOD_BENCH_PG_URL``, else
``STOD_TEST_PG_URL``; dropped afterwards), then for ``--seconds``:

- each *principal* thread, through the e-service token, sends two pre-checks
  (``POST /api/v1/check``) for every application it submits (``POST /api/v1/applications``);
- each *caseworker* thread, signed in once (the session holds on every server), takes a submitted
  case with a proposal to confirm (not one waiting for completion documents), reads its page
  (``GET /arenden/N``) on one server and confirms it (``POST /arenden/N/faststall``) on the
  other; with nothing to decide it reads the queue (``/ko``).

Requests alternate between the servers. Prints, per kind and in total: requests, requests/s,
p50 and p99 in ms, errors (any answer other than the expected one) and conflicts, and the
machine's load average. Exit 1 if there was any error. Not part of the test run.
"""
from __future__ import annotations

import argparse
import itertools
import os
import queue
import statistics
import sys
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import servers  # noqa: E402
from stod.services.demo_data import generate_applications  # noqa: E402

EXPECTED = {"check": {200}, "submit": {201}, "case page": {200}, "decide": {303}, "queue page": {200}}


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.conflicts = 0
        self.samples: list[str] = []

    def add(self, kind: str, seconds: float, status: int, text: str = "") -> bool:
        with self.lock:
            self.times[kind].append(seconds)
            if status == 409 and kind == "decide":
                self.conflicts += 1
                return False
            if status not in EXPECTED[kind]:
                self.errors[kind] += 1
                if len(self.samples) < 5:
                    found = servers.ALERT.search(text)
                    self.samples.append(f"{kind}: {status} {found.group(1) if found else text[:200]!r}")
                return False
        return True


def timed(tally: Tally, kind: str, call):
    start = time.perf_counter()
    try:
        response = call()
    except Exception as error:  # a refused connection or a timeout is an error too
        tally.add(kind, time.perf_counter() - start, 0, repr(error))
        return None
    ok = tally.add(kind, time.perf_counter() - start, response.status_code, response.text)
    return response if ok else None


def principal(bases, people, applications, work: queue.Queue, tally: Tally, stop: float):
    clients = [servers.httpx.Client(base_url=b, timeout=60, headers={"Authorization": f"Bearer {people.token}"})
               for b in bases]
    turn = itertools.cycle(clients)
    for application in applications:
        if time.monotonic() > stop:
            break
        for _ in range(2):
            client = next(turn)
            timed(tally, "check", lambda: client.post("/api/v1/check", json=application))
        client = next(turn)
        done = timed(tally, "submit", lambda: client.post("/api/v1/applications", json=application))
        if done is not None and done.json()["status"] == "forslag":  # a completion request waits for documents
            work.put(done.json()["case_id"])
    for client in clients:
        client.close()


def caseworker(bases, name, work: queue.Queue, tally: Tally, stop: float):
    first = servers.Session(bases[0]).login(name)
    sessions = [first] + [first.on(b) for b in bases[1:]]
    turn = itertools.cycle(range(len(sessions)))
    while time.monotonic() < stop:
        try:
            case_id = work.get(timeout=0.2)
        except queue.Empty:
            session = sessions[next(turn)]
            timed(tally, "queue page", lambda: session.get("/ko"))
            continue
        reader, writer = sessions[next(turn)], sessions[next(turn)]
        page = timed(tally, "case page", lambda: reader.get(f"/arenden/{case_id}"))
        found = servers.VERSION.search(page.text) if page is not None else None
        if found is None:
            continue  # not decidable (e.g. already decided): nothing to confirm
        writer.token = reader.token
        timed(tally, "decide", lambda: writer.post(f"/arenden/{case_id}/faststall", {"version": found.group(1)}))
    for session in sessions:
        session.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


def report(tally: Tally, seconds: float, load_before, load_after) -> int:
    rows = []
    everything = [t for times in tally.times.values() for t in times]
    for kind in [*EXPECTED, "all"]:
        times = everything if kind == "all" else tally.times.get(kind, [])
        if not times:
            continue
        errors = sum(tally.errors.values()) if kind == "all" else tally.errors.get(kind, 0)
        rows.append((kind, len(times), len(times) / seconds, statistics.median(times) * 1000,
                     percentile(times, 0.99) * 1000, errors))
    print(f"{'kind':<11} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for kind, n, rate, p50, p99, errors in rows:
        print(f"{kind:<11} {n:>8} {rate:>7.1f} {p50:>8.1f} {p99:>8.1f} {errors:>6}")
    print(f"decision conflicts: {tally.conflicts}")
    print(f"load average (1/5/15 min) before {load_before}, after {load_after}; {os.cpu_count()} cores")
    for sample in tally.samples:
        print("  e.g.", sample)
    return 1 if sum(tally.errors.values()) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load runs (bounded)")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument("--principals", type=int, default=3)
    parser.add_argument("--caseworkers", type=int, default=3)
    args = parser.parse_args()
    base_url = os.environ.get("STOD_BENCH_PG_URL") or os.environ.get("STOD_TEST_PG_URL")
    if not base_url:
        print("bench/load.py: set STOD_BENCH_PG_URL (or STOD_TEST_PG_URL) to a PostgreSQL database", file=sys.stderr)
        return 2
    applications = generate_applications(400 * args.principals, seed=15, first=date(2026, 9, 1),
                                         last=date(2026, 12, 15))
    with servers.pg_schema(base_url) as url:
        people = servers.prepare(url)
        for n in range(2, args.caseworkers):
            from cases import accounts
            from cases.store import open_store

            store = open_store(url)
            accounts.add_user(store, f"handlaggare{n}", "handlaggare", servers.PASSWORD, [], f"Handläggare {n}")
            store.dispose()
        names = [*people.caseworkers, *(f"handlaggare{n}" for n in range(2, args.caseworkers))][:args.caseworkers]
        with servers.serving(url, args.servers, workers=args.workers) as bases:
            print(f"{args.servers} servers ({args.workers} worker(s) each) on one PostgreSQL schema: {', '.join(bases)}")
            print(f"{args.principals} principals (2 checks per submit), {args.caseworkers} caseworkers, "
                  f"{args.seconds:.0f} s")
            tally, work = Tally(), queue.Queue()
            load_before = tuple(round(x, 2) for x in os.getloadavg())
            start = time.monotonic()
            stop = start + args.seconds
            threads = [threading.Thread(target=principal, args=(bases, people, applications[i::args.principals],
                                                                work, tally, stop))
                       for i in range(args.principals)]
            threads += [threading.Thread(target=caseworker, args=(bases, name, work, tally, stop)) for name in names]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - start
            load_after = tuple(round(x, 2) for x in os.getloadavg())
    return report(tally, elapsed, load_before, load_after)


if __name__ == "__main__":
    raise SystemExit(main())
