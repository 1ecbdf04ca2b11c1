"""Load on the HTTP API's check against the engine in-process. Not part of the test run.

    .venv/bin/python bench/web_check.py                       # 2 server workers, 4 clients, 10 s
    .venv/bin/python bench/web_check.py --workers 2 --clients 8 --seconds 20

Starts `stod serve --workers N` on 127.0.0.1 and a fresh SQLite store with one bearer token,
then keeps C client threads (keep-alive connections) posting the contract examples to
/api/v1/check for a bounded time, and prints the rate, latency percentiles and the ratio to the
in-process rate of the same explained decision (`api.summary(api.decide(...))`, one core).
Issue 13's target: the API serves >= 50 % of the in-process rate with two workers, p99 <= 100 ms.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = sorted((ROOT.parent / "shared" / "contract" / "verksamhetsstod").glob("VS-EX-*.json"))
DAY = "2027-09-01"  # after every example's receipt: each check is a full decision, as in-process


def in_process_rate(bodies: list[bytes], seconds: float) -> tuple[float, float]:
    """Decisions per second of wall time, and CPU milliseconds per decision (less hurt by other load)."""
    from engine import api

    day = date.fromisoformat(DAY)
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for body in bodies:
            app, _ = api.read_application(body)
            json.dumps(api.summary(api.decide(app, day)), ensure_ascii=False, default=str)
            done += 1
    return done / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / done


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return children


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants so far (Linux /proc)."""
    tick, children = os.sysconf("SC_CLK_TCK"), _parents()
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        todo += children.get(current, [])
    return total


@contextlib.contextmanager
def serving(workers: int) -> Iterator[tuple[int, str, int]]:
    """`stod serve --workers N` on a free local port over a fresh SQLite store: (port, bearer token, pid)."""
    stod = str(Path(sys.executable).with_name("stod"))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "stod.db")
        token = subprocess.run([stod, "tokens", "add", "bench", "--db", db], check=True, capture_output=True,
                               text=True).stdout.strip().splitlines()[-1]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([stod, "serve", "--db", db, "--port", str(port), "--workers", str(workers)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port)
            yield port, token, server.pid
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_for_port(port: int, tries: int = 200) -> None:
    """Wait (up to ~20 s) until the server accepts connections."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)


@dataclass
class Load:
    """What the measured phase saw: each request's latency (s), the non-200 answers, the wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU the server's processes used


def post_checks(port: int, token: str, pid: int, bodies: list[bytes], clients: int, seconds: float) -> Load:
    """C keep-alive clients post the bodies in turn: one second of warm-up, then `seconds` measured."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    load = Load()
    lock = threading.Lock()

    def client(n: int, until: float, record: bool) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = n
        mine = []
        while time.perf_counter() < until:
            body = bodies[i % len(bodies)]
            i += 1
            t0 = time.perf_counter()
            conn.request("POST", f"/api/v1/check?date={DAY}", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                with lock:
                    load.errors += 1
        conn.close()
        if record:
            with lock:
                load.latencies.extend(mine)

    stop_at = time.perf_counter() + 1.0  # warm-up: every worker loads and compiles its rules
    for until, record in ((stop_at, False), (stop_at + seconds, True)):
        threads = [threading.Thread(target=client, args=(n, until, record)) for n in range(clients)]
        started, cpu_before = time.perf_counter(), server_cpu_seconds(pid)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load.elapsed = time.perf_counter() - started
        load.server_cpu = server_cpu_seconds(pid) - cpu_before
    return load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    bodies = [p.read_bytes() for p in EXAMPLES]
    with serving(args.workers) as (port, token, pid):
        load = post_checks(port, token, pid, bodies, args.clients, args.seconds)
    latencies = sorted(load.latencies)
    rate = len(latencies) / load.elapsed
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    base, base_cpu_ms = in_process_rate(bodies, 3.0)
    api_cpu_ms = load.server_cpu * 1000 / len(latencies)
    print(f"API check, {args.workers} workers, {args.clients} clients, {args.seconds:.0f} s: {rate:,.0f}/s "
          f"({len(latencies)} requests, {load.errors} not 200)")
    print(f"latency ms: median {statistics.median(latencies) * 1000:.1f}, p90 {p(0.90):.1f}, p99 {p(0.99):.1f}")
    print(f"in-process explained decision (read, decide, summary, JSON), 1 core: {base:,.0f}/s")
    print(f"API / in-process: {rate / base:.0%} (target >= 50 %, p99 <= 100 ms)")
    # The rates depend on what else the machine runs; CPU per request much less: the servers' CPU
    # per check against the in-process CPU per decision, and the rate two busy workers would give.
    print(f"CPU per request: server {api_cpu_ms:.2f} ms, in-process {base_cpu_ms:.2f} ms; two workers at full "
          f"use / one in-process core: {2 * base_cpu_ms / api_cpu_ms:.0%}")


if __name__ == "__main__":
    main()
