"""Two caseworkers deciding one case at the same moment, as two real OS processes.

Each caseworker is a process of its own (``helpers_procs.py``) running ``stod decide`` through
the console script's entry point; both leave a file barrier together, round after round, on
SQLite and (with STOD_TEST_PG_URL) on PostgreSQL. Exactly one wins; the other exits 1 with a
conflict message naming the case; the stored decision is the winner's, the case's version
moved once, one event was added and every event chain verifies. On PostgreSQL half of the
rounds also hold both decisions, inside their transactions, until both have read the case,
so the optimistic lock (not the order of arrival) is what decides them.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cases import workflow as W
from cases.events import verify_events
from cases.models import ApplicationRecord, Case, DecisionRecord, EventRecord
from cases.store import open_store, events_of
from engine import api
from helpers_procs import Workers, store_problems
from stod.services.demo_data import generate_applications
from test_store import DAY, application, db_url, submit  # noqa: F401  (db_url is the shared fixture)

ROUNDS = 8
BATCH = 40
AVSLAG = ["--override", "avslag", "--reason-code", "FELAKTIGA_UPPGIFTER", "--reason", "Timmarna stämmer inte"]
BIFALL = ["--override", "delvis_bifall", "--level", "2", "--period", "2026-12..2027-06", "--amount", "250000",
          "--reason-code", "SARSKILDA_SKAL", "--reason", "Behovet är större än timmarna visar"]
CONFIRM = ["--confirm"]
# (first caseworker's action, second's), and the outcome each would decide.
PAIRS = [(CONFIRM, CONFIRM), (CONFIRM, AVSLAG), (AVSLAG, BIFALL), (BIFALL, CONFIRM)]


def _outcome(action: list[str]) -> str:
    return "delvis_bifall" if action is CONFIRM else action[1]  # the proposal is a partial grant
NAMES = ("Anna Lindqvist", "Bo Berg")


def redecide(raw: dict, decision_date: date):
    app, _ = api.read_application(dict(raw))
    return api.decide(app, decision_date)


def _args(case_id: int, action, name: str, db: str, version: int | None) -> list[str]:
    args = ["decide", str(case_id), *action, "--by", name, "--date", DAY.isoformat(), "--db", db]  # the proposal's day
    return args + (["--expect-version", str(version)] if version is not None else [])


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    """Two caseworker processes, started once for every test and database here."""
    started = Workers(tmp_path_factory.mktemp("caseworkers"))
    yield started
    started.close()


def test_two_caseworkers_deciding_at_once_exactly_one_wins(db_url, workers, tmp_path):
    store = open_store(db_url)
    postgres = store.dialect == "postgresql"
    cases = [submit(store, application(application_id=f"VS-RACE-{n:02d}")) for n in range(ROUNDS)]
    with store.read() as s:
        decisions_before = s.execute(select(func.count()).select_from(DecisionRecord)).scalar_one()
    raced = 0
    for n, case in enumerate(cases):
        pair = PAIRS[n % len(PAIRS)]
        if n % 2:  # take turns at being first, so neither side is favoured
            pair = pair[::-1]
        # Odd rounds decide "as read": both caseworkers saw the case at the same version.
        version = case.version if n % 2 else None
        hold = tmp_path / f"hold-{n}" if postgres and n >= ROUNDS // 2 else None
        if hold:
            hold.mkdir()
        results = workers.play([{"args": _args(case.case_id, pair[w], NAMES[w], db_url, version),
                                 "hold": str(hold) if hold else None} for w in (0, 1)])
        assert sorted(r["code"] for r in results) == [0, 1], (n, results)
        winner = 0 if results[0]["code"] == 0 else 1
        message = results[1 - winner]["err"]
        assert "konflikt" in message and f"ärende {case.case_id}" in message, message
        assert "inget" in message and "Traceback" not in message, message  # nothing overwritten, said plainly
        if hold:  # both read the case in their transactions: the version column must have stopped one
            assert "samtidigt" in message, message
        raced += "samtidigt" in message
        with store.read() as s:
            stored = s.get(Case, case.case_id)
            finals = s.execute(select(DecisionRecord).where(DecisionRecord.case_id == case.case_id,
                                                            DecisionRecord.kind == "decision")).scalars().all()
            last = events_of(s, case.case_id)[-1]
        assert stored.version == case.version + 1, (n, stored.version, case.version)
        assert stored.status == "beslutad" and stored.event_count == 4  # received, evaluated, proposal, decided
        assert [(f.decided_by, f.outcome) for f in finals] == [(NAMES[winner], _outcome(pair[winner]))]
        assert (last.actor, last.payload["decision_id"]) == (NAMES[winner], finals[0].id)

    with store.read() as s:
        assert s.execute(select(func.count()).select_from(DecisionRecord)).scalar_one() == decisions_before + ROUNDS
        assert s.execute(select(func.count()).select_from(EventRecord)).scalar_one() == 4 * ROUNDS
        assert verify_events(s) == []
    assert store_problems(store) == []
    print(f"{store.dialect}: {ROUNDS} rounds, {raced} decided by the version column while both were writing")
    store.dispose()


def test_same_batch_submitted_twice_at_once_stores_each_application_once(db_url, workers, tmp_path):
    apps = generate_applications(BATCH, seed=3)
    files = []
    for n, raw in enumerate(apps):
        files.append(str(tmp_path / f"{n:02d}.json"))
        Path(files[-1]).write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    store = open_store(db_url)
    args = ["submit", *files, "--date", "2027-12-31", "--json", "--db", db_url]
    results = workers.play([{"args": args}, {"args": args}])
    assert [r["code"] for r in results] == [0, 0], results
    reports = [json.loads(r["out"]) for r in results]
    # Each application was stored by exactly one of the two; the other was told it was there.
    for first, second in zip(*reports):
        assert first["ok"] and second["ok"] and first["case_id"] == second["case_id"]
        assert sorted([first["created"], second["created"]]) == [False, True], (first, second)
    with store.read() as s:
        stored = s.execute(select(ApplicationRecord.application_id)).scalars().all()
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == BATCH
    assert sorted(stored) == sorted(a["application_id"] for a in apps)
    assert store_problems(store, redecide) == []
    store.dispose()


def test_documents_and_a_decision_at_once_exactly_one_wins(db_url, workers, tmp_path):
    """Completion documents arrive while a caseworker decides the case as they read it."""
    store = open_store(db_url)
    docs = tmp_path / "komplettering.json"
    docs.write_text(json.dumps({"documents": {"atgardsprogram": {"date": "2027-01-02", "signed_by_rektor": True}}}))
    cases = [submit(store, application(application_id=f"VS-KOMPL-{n}", documents__atgardsprogram=None))
             for n in range(4)]
    wins = {"complete": 0, "decide": 0}
    for n, case in enumerate(cases):
        assert case.status == "komplettering_begard"
        commands = [["complete", str(case.case_id), str(docs), "--date", "2027-01-02", "--db", db_url],
                    _args(case.case_id, AVSLAG, NAMES[1], db_url, case.version)]
        if n % 2:
            commands.reverse()
        results = workers.play([{"args": c} for c in commands])
        assert sorted(r["code"] for r in results) == [0, 1], (n, results)
        winner = commands[0 if results[0]["code"] == 0 else 1][0]
        message = results[1 if results[0]["code"] == 0 else 0]["err"]
        assert f"ärende {case.case_id}" in message and "Traceback" not in message, message
        wins[winner] += 1
        view = W.case_view(store, case.case_id)
        revisions = [a["revision"] for a in view["applications"]]
        finals = [d for d in view["decisions"] if d["kind"] == "decision"]
        if winner == "complete":  # a new revision and proposal; the stale decision was not stored
            assert (view["case"]["status"], revisions, finals) == ("forslag", [1, 2], [])
            assert view["case"]["version"] > case.version  # (a completion's transaction moves it twice)
        else:  # decided on what the caseworker read; the documents were not added behind the decision
            assert (view["case"]["status"], revisions) == ("beslutad", [1])
            assert view["case"]["version"] == case.version + 1
            assert [(d["decided_by"], d["outcome"]) for d in finals] == [(NAMES[1], "avslag")]
    assert store_problems(store, redecide) == []
    print(f"{store.dialect}: completion won {wins['complete']}, decision won {wins['decide']}")
    store.dispose()
