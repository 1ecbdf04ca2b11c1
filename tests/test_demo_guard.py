"""The demo never touches a store that is not the demo's: ``demo --fresh`` deleted any file given
to --db (a store with real cases, a text file), ``demo`` mixed generated cases into a real store,
and ``serve --demo`` added accounts with published passwords to it."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from test_hostile import run  # noqa: F401  (the CLI runner fixture)

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod"
if not CONTRACT.is_dir():
    CONTRACT = Path(__file__).resolve().parents[1] / ".." / "shared" / "contract" / "verksamhetsstod"


@pytest.fixture
def real_store(run):  # noqa: F811
    db = run.tmp / "riktig.db"
    result = run("submit", CONTRACT / "VS-EX-01.json", CONTRACT / "VS-EX-02.json", "--db", db, "--date", "2026-12-31")
    assert result.exit_code == 0, result.output
    return db


def _refused(result, *words):
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def test_fresh_refuses_a_store_with_real_cases_and_any_other_file(run, real_store):  # noqa: F811
    before = real_store.read_bytes()
    _refused(run("demo", "--fresh", "--count", "2", "--db", real_store), "--fresh", "2 ansökningar", "stod demo")
    assert real_store.read_bytes() == before
    text = run.tmp / "viktig.txt"
    text.write_text("hej")
    _refused(run("demo", "--fresh", "--count", "1", "--db", text), "ingen SQLite-databas")
    assert text.read_text() == "hej"
    (run.tmp / "mapp").mkdir()
    _refused(run("demo", "--fresh", "--count", "1", "--db", run.tmp / "mapp"), "ingen fil")


def test_demo_is_not_mixed_into_a_real_store(run, real_store):  # noqa: F811
    before = real_store.read_bytes()
    _refused(run("demo", "--count", "2", "--db", real_store), "--db", "blandas aldrig")
    assert real_store.read_bytes() == before


def test_the_demos_own_store_starts_over_and_runs_again_after_a_web_application(run):  # noqa: F811
    db = run.tmp / "demo.db"
    assert run("demo", "--count", "3", "--db", db).exit_code == 0
    # An application sent while trying the web app (another source) keeps it the demo's store.
    assert run("submit", CONTRACT / "VS-EX-01.json", "--db", db, "--date", "2026-12-31").exit_code == 0
    assert run("demo", "--count", "3", "--db", db).exit_code == 0
    assert run("demo", "--fresh", "--count", "3", "--db", db).exit_code == 0


def test_serve_demo_adds_no_accounts_to_a_real_store(run, real_store, monkeypatch):  # noqa: F811
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("served a real store with demo accounts"))
    import signal

    before = signal.getsignal(signal.SIGTERM)
    _refused(run("serve", "--demo", "--db", real_store, "--port", "1"), "--demo", "demodatabas")
    assert "rektor" not in run("users", "list", "--db", real_store).output
    assert signal.getsignal(signal.SIGTERM) is before  # serve leaves the caller's stop handler as it was


def _term_handler(_):
    import signal

    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_pool_workers_end_on_sigterm_whatever_handler_the_parent_has(monkeypatch):
    """Pool.terminate ends its workers with SIGTERM: a handler inherited from the parent (stod
    serve's raises SystemExit) left one waiting on the task queue's lock, and the parent with it."""
    import signal

    from engine.parallel import ordered_map

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        assert all(ordered_map(_term_handler, range(4), workers=2))
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_refused_fresh_leaves_nothing_beside_the_store(run):  # noqa: F811
    import sqlite3

    store = run.tmp / "wal.db"
    with sqlite3.connect(store) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE applications (id INTEGER PRIMARY KEY, source TEXT)")
        conn.execute("INSERT INTO applications (source) VALUES ('ansokan.json')")
    conn.close()
    _refused(run("demo", "--fresh", "--count", "1", "--db", store), "1 ansökan", "stod demo")
    assert not list(run.tmp.glob("wal.db-*"))  # a read-only look left -wal and -shm beside it


def test_the_demo_summary_reads_right_for_one_case(run):  # noqa: F811
    """The summary put counts before plural nouns: "1 ansökningar mottagna … 1 förslag fastställda"."""
    result = run("demo", "--count", "1", "--db", run.tmp / "en.db")
    assert result.exit_code == 0, result.output
    assert "Mottagna ansökningar: 1 (0 fanns redan)" in result.output, result.output
    assert "1 ansökningar" not in result.output and "Traceback" not in result.output


def test_every_case_the_demo_leaves_open_can_be_decided_on_the_demos_day(run):  # noqa: F811
    """The demo dated a proposal on the day a caseworker would decide it, which for the cases it
    leaves open lay after the demo's day (2028-01-16 for 2027-12-31): the README's web app then
    refused to confirm them ("före förslaget")."""
    import sqlite3

    from cases import workflow
    from cases.store import open_store
    from stod.services.demo_data import DEMO_AS_OF

    db = run.tmp / "demo.db"
    assert run("demo", "--db", db).exit_code == 0
    with sqlite3.connect(db) as conn:
        open_cases = conn.execute(
            "SELECT c.id, max(d.decision_date) FROM cases c JOIN decisions d ON d.case_id = c.id "
            "WHERE c.status = 'forslag' GROUP BY c.id").fetchall()
    assert open_cases
    assert all(date.fromisoformat(day) <= DEMO_AS_OF for _, day in open_cases), \
        [case for case in open_cases if date.fromisoformat(case[1]) > DEMO_AS_OF]
    store = open_store(f"sqlite:///{db}")
    latest = max(open_cases, key=lambda case: case[1])[0]
    done = workflow.confirm(store, latest, by="Anna Lindqvist", on=DEMO_AS_OF, today=DEMO_AS_OF)
    assert done.status == "beslutad", done
    store.dispose()
