"""A batch ``stod submit`` killed with SIGKILL part-way, run again; and re-submission.

The batch is 300 generated applications, one file each, submitted by a real ``stod`` process
that is killed (SIGKILL, no chance to clean up) once a number of cases are stored; on
PostgreSQL the kill waits until the server shows the process's write transaction open, so
the crash lands inside a transaction. After each kill the store must be consistent (no
orphan rows, every case with its application, proposal, the engine's findings exactly, and
a verifying event chain); the same batch run again must finish with each application stored
once and the cases stored before the crash untouched.

Re-submitting an identical application (even reformatted) stores nothing and adds no event;
the same application_id with other content is refused, exit 2, naming the id, nothing
changed. On SQLite always, on PostgreSQL with STOD_TEST_PG_URL.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from cases import workflow as W
from cases.models import ApplicationRecord, Case
from cases.store import open_store, sha256_of
from engine import api
from helpers_procs import store_problems, table_rows, wait_for
from stod.services.demo_data import generate_applications
from test_store import application, db_url  # noqa: F401  (db_url is the shared fixture)

BATCH = 300
SEED = 7
DECISION_DATE = "2027-12-31"  # after every generated receipt
KILL_AFTER = (BATCH // 6, BATCH // 2)  # cases stored when the first and second runs are killed
STOD = [sys.executable, "-m", "stod"]


def stod(*args: str, db: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "STOD_DATABASE_URL"}
    return subprocess.run([*STOD, *args, "--db", db], capture_output=True, text=True, timeout=120, env=env)


def redecide(raw: dict, decision_date: date):
    app, _ = api.read_application(dict(raw))
    return api.decide(app, decision_date)


def count(store, model) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def heads(store) -> dict[str, tuple]:
    with store.read() as s:
        return {c.application_id: (c.id, c.version, c.event_count, c.event_head)
                for c in s.execute(select(Case)).scalars()}


def open_write_transactions(monitor) -> int:
    """Sessions other than ours that have written in a transaction not yet committed."""
    with monitor.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                                 "AND pid <> pg_backend_pid() AND datname = current_database()")).scalar_one()


def test_batch_killed_part_way_leaves_a_consistent_store_and_reruns_without_duplicates(db_url, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    apps = generate_applications(BATCH, SEED)
    files = []
    for n, raw in enumerate(apps):
        files.append(str(folder / f"{n:03d}.json"))
        Path(files[-1]).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert len({a["application_id"] for a in apps}) == BATCH
    store = open_store(db_url)  # the database exists and is in use before the batch starts
    postgres = store.dialect == "postgresql"
    monitor = create_engine(store.url) if postgres else None
    env = {k: v for k, v in os.environ.items() if k != "STOD_DATABASE_URL"}
    command = [*STOD, "submit", *files, "--date", DECISION_DATE, "--db", db_url]

    before_kill: dict[str, tuple] = {}
    for point in KILL_AFTER:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        try:
            wait_for(lambda: proc.poll() is not None or count(store, Case) >= point, 60,
                     f"{point} cases stored", interval=0.005)
            if postgres:  # strike while a case is half-written on the server
                wait_for(lambda: proc.poll() is not None or open_write_transactions(monitor) > 0, 10,
                         "an open write transaction", interval=0)
            assert proc.poll() is None, f"the batch finished before it could be killed: {proc.stderr.read()}"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        if postgres:  # the server rolls the dead client's transaction back once it sees it gone
            wait_for(lambda: open_write_transactions(monitor) == 0, 10, "the rollback", interval=0.01)
        stored = count(store, Case)
        assert point <= stored < BATCH
        assert count(store, ApplicationRecord) == stored
        assert store_problems(store, redecide) == []
        now = heads(store)
        assert {k: now[k] for k in before_kill} == before_kill  # the next run left earlier cases alone
        before_kill = now

    done = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sum(not r["created"] for r in report) == len(before_kill)  # "redan mottagen" for each
    assert all("redan mottagen" in r["message"] for r in report if not r["created"])
    assert count(store, Case) == count(store, ApplicationRecord) == BATCH
    with store.read() as s:
        stored = {row.application_id: row.sha256 for row in s.execute(select(ApplicationRecord)).scalars()}
    assert stored == {a["application_id"]: sha256_of(a) for a in apps}  # each application once, as sent
    assert store_problems(store, redecide) == []
    after = heads(store)
    assert {k: after[k] for k in before_kill} == before_kill
    if monitor is not None:
        monitor.dispose()
    store.dispose()


@pytest.mark.usefixtures("decided_late")
def test_resubmission_is_a_no_op_and_changed_content_is_refused(db_url, tmp_path):
    sent = application(application_id="VS-IDEM-01")
    original = tmp_path / "ansokan.json"
    original.write_text(json.dumps(sent, ensure_ascii=False), encoding="utf-8")
    # The same application as another system would write it: other key order, indented.
    reformatted = tmp_path / "samma-ansokan.json"
    reformatted.write_text(json.dumps(dict(reversed(list(sent.items()))), ensure_ascii=False, indent=4),
                           encoding="utf-8")
    changed = tmp_path / "andrad-ansokan.json"
    changed.write_text(json.dumps(application(application_id="VS-IDEM-01", requested_amount_sek=250000),
                                  ensure_ascii=False), encoding="utf-8")

    first = stod("submit", str(original), "--date", "2026-12-20", db=db_url)
    assert first.returncode == 0, first.stderr
    store = open_store(db_url)
    stored = table_rows(store)
    assert len(stored["cases"]) == 1 and len(stored["events"]) == 3

    # The same application twice more, then the same id with other content, in one batch.
    again = stod("submit", str(original), str(reformatted), str(changed), "--date", "2026-12-21", db=db_url)
    assert again.returncode == 2, again.stderr
    assert again.stdout.count("redan mottagen (ärende 1); inget nytt sparat") == 2, again.stdout
    refusal = again.stderr
    assert "andrad-ansokan.json" in refusal and "application_id: VS-IDEM-01 är redan mottagen (ärende 1) med " \
        "annat innehåll" in " ".join(refusal.split()), refusal
    assert "Traceback" not in refusal
    assert table_rows(store) == stored  # not a row, not an event

    # Once decided, the case answers the same way: identical is a no-op, changed refused.
    W.confirm(store, "VS-IDEM-01", by="Anna Lindqvist", on=date(2026, 12, 22))
    decided = table_rows(store)
    late = stod("submit", str(reformatted), str(changed), "--json", db=db_url)
    assert late.returncode == 2
    assert [(r["ok"], r.get("created")) for r in json.loads(late.stdout)] == [(True, False), (False, None)]
    assert "VS-IDEM-01" in json.loads(late.stdout)[1]["error"]
    assert table_rows(store) == decided
    assert store_problems(store) == []
    store.dispose()
