"""The caseworker's queue page with 100k cases in the store. Not part of the test run.

    .venv/bin/python bench/web_queue.py                 # 100k open cases, SQLite
    .venv/bin/python bench/web_queue.py --cases 20000 --db postgresql+psycopg://…/db

Fills a fresh store with N case rows and one proposal each (bulk Core inserts: the queue reads
only those two tables; the engine is not involved), signs in a caseworker and times the first,
a middle and a filtered page of /ko through the ASGI app (median of 5 each). Issue 13's target:
the queue page renders in <= 200 ms with 100k cases.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DISTRICTS = ["Rinkeby-Kista", "Spånga-Tensta", "Bromma", "Södermalm", "Farsta", "Skärholmen"]


def fill(store, n: int) -> None:
    from cases.models import Case, DecisionRecord, ApplicationRecord

    now = datetime.now(timezone.utc)
    start = date(2026, 1, 2)
    with store.write() as session:
        conn = session.connection()
        for chunk in range(0, n, 10_000):
            ids = range(chunk + 1, min(n, chunk + 10_000) + 1)
            conn.execute(Case.__table__.insert(), [{
                "id": i, "kind": "verksamhetsstod", "application_id": f"VS-B-{i:06d}",
                "status": ("forslag", "komplettering_begard", "mottagen")[i % 3],
                "school_unit_code": f"4{i % 50:07d}", "school_name": f"Skola {i % 50}",
                "district": DISTRICTS[i % len(DISTRICTS)], "received": start + timedelta(days=i % 700),
                "created_at": now, "updated_at": now, "event_count": 0, "event_head": "", "version": 1}
                for i in ids])
            conn.execute(ApplicationRecord.__table__.insert(), [{
                "id": i, "case_id": i, "application_id": f"VS-B-{i:06d}", "revision": 1, "kind": "verksamhetsstod",
                "received": start + timedelta(days=i % 700), "sha256": "", "raw": {}, "source": "", "stored_at": now}
                for i in ids])
            conn.execute(DecisionRecord.__table__.insert(), [{
                "case_id": i, "application_row_id": i, "kind": "proposal", "outcome": "bifall",
                "decisive_rules": [], "requests": [], "ruleset_area": "verksamhetsstod", "ruleset_version": "x",
                "decision_date": start, "parameters": {}, "text": "", "created_at": now,
                "completion_deadline": start + timedelta(days=30) if i % 3 == 1 else None} for i in ids])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db")
    args = parser.parse_args()
    from cases.store import open_store
    from web_helpers import make_web

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.db or os.path.join(tmp, "stod.db"))
        t0 = time.perf_counter()
        fill(store, args.cases)
        print(f"{args.cases} cases stored in {time.perf_counter() - t0:.1f} s ({store.dialect})")
        web = make_web(store, day=date(2027, 12, 31))
        anna = web.login("anna")
        for label, url in (("first page", "/ko"), ("page 1000", "/ko?sida=1000"),
                           ("filtered by district and status", "/ko?stadsdel=Bromma&status=forslag&sida=50")):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                response = anna.client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200 and "ärenden öppna" in response.text
            print(f"/ko {label}: median {statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f})")


if __name__ == "__main__":
    main()
