"""Batch storage (cases/batch.py) and many files in worker processes (stod/batch.py, --workers).

A chunk stores what one-by-one submission stores (same rows, same event chains, a consistent
store), answers each item as ``workflow.submit`` would (new, "redan mottagen", refused for that
item only), and is stored whole or not at all. ``stod check``/``stod submit`` with several
workers give the same results, in the order the files were given, as one worker.
On SQLite always, on PostgreSQL with STOD_TEST_PG_URL.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cases import workflow as W
from cases.batch import Received, already_stored, store_received
from cases.errors import DuplicateApplication
from cases import store as S
from cases.models import ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord
from engine import api
from engine.jsonform import output_json
from helpers_procs import store_problems, table_rows
from stod.batch import array_item, array_pieces
from stod.cli import main
from stod.services.demo_data import generate_applications
from test_store import application, db_url, store  # noqa: F401  (shared fixtures)

DAY = date(2027, 12, 31)


def decided(raw: dict):
    app, data = api.read_application(dict(raw))
    return data, api.decide(app, DAY)


def redecide(raw: dict, decision_date: date):
    app, _ = api.read_application(dict(raw))
    return api.decide(app, decision_date)


def received(raws) -> list[Received]:
    return [Received(*decided(raw), source=f"{n}.json") for n, raw in enumerate(raws)]


def comparable(store, times: bool = False) -> dict:
    """Every case's content without row ids (and timestamps unless ``times``): what one-by-one and batch must share."""
    with store.read() as s:
        cases = {c.id: c for c in s.execute(select(Case)).scalars()}
        out = {}
        for case in cases.values():
            proposal = s.execute(select(DecisionRecord).where(DecisionRecord.case_id == case.id)).scalars().one()
            findings = s.execute(select(FindingRecord).where(FindingRecord.decision_id == proposal.id)
                                 .order_by(FindingRecord.rule_id)).scalars().all()
            events = s.execute(select(EventRecord).where(EventRecord.case_id == case.id)
                               .order_by(EventRecord.seq)).scalars().all()
            out[case.application_id] = (
                case.status, case.event_count, proposal.outcome, proposal.amount_sek, proposal.decisive_rules,
                proposal.parameters, proposal.text, [(f.rule_id, f.status, f.decisive, f.text) for f in findings],
                [(e.seq, e.type, {k: v for k, v in e.payload.items() if k not in ("decision_id",)}) for e in events])
            if times:
                app = s.execute(select(ApplicationRecord).where(ApplicationRecord.case_id == case.id)).scalars().one()
                out[case.application_id] += (app.source, S.as_utc(app.stored_at), S.as_utc(case.created_at),
                                             S.as_utc(proposal.created_at), [S.as_utc(e.at) for e in events])
    return out


def test_a_chunk_stores_what_one_by_one_submission_stores(db_url, tmp_path):
    from cases.store import open_store

    raws = generate_applications(40, seed=5)
    one_by_one = open_store(db_url)
    for raw in raws:
        data, decision = decided(raw)
        W.submit(one_by_one, None, data, decision)
    expected = comparable(one_by_one)
    one_by_one.dispose()

    batch = open_store(f"sqlite:///{tmp_path / 'batch.db'}")
    results = store_received(batch, received(raws))
    assert [r.application_id for r in results] == [raw["application_id"] for raw in raws]  # input order
    assert all(r.created and r.message == f"mottagen som ärende {r.case_id}" for r in results)
    assert comparable(batch) == expected
    assert store_problems(batch, redecide) == []
    batch.dispose()


def test_a_chunk_keeps_each_item_s_time_and_only_its_file_s_base_name(db_url, tmp_path):
    """As one-by-one submission does: the file's folders are not kept (a folder may name a pupil),
    and an item received at its own time (the demo's) keeps that time in every row and event."""
    from datetime import datetime, timedelta, timezone

    from cases.store import open_store

    raws = generate_applications(6, seed=9)
    first = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    when = [first + timedelta(days=n, minutes=7 * n) for n in range(len(raws))]
    one_by_one = open_store(db_url)
    for n, raw in enumerate(raws):
        data, decision = decided(raw)
        W.submit(one_by_one, None, data, decision, source=f"/hem/rektor/Elever Kalle A/{n}.json", at=when[n])
    expected = comparable(one_by_one, times=True)
    one_by_one.dispose()

    batch = open_store(f"sqlite:///{tmp_path / 'batch.db'}")
    items = [Received(*decided(raw), source=f"/hem/rektor/Elever Kalle A/{n}.json", at=when[n])
             for n, raw in enumerate(raws)]
    store_received(batch, items, at=first + timedelta(days=100))
    found = comparable(batch, times=True)
    assert found == expected
    assert {v[-5] for v in found.values()} == {f"{n}.json" for n in range(len(raws))}
    batch.dispose()


def test_the_upgrade_keeps_only_the_base_name_of_stored_files(tmp_path):
    """Stores written before the batch path kept base names: their whole paths are cut at the upgrade."""
    import sqlite3

    from cases.store import open_store

    path = tmp_path / "gammal.db"
    store = open_store(f"sqlite:///{path}")
    store_received(store, [Received(*decided(raw), source=f"x{n}.json") for n, raw in
                           enumerate(generate_applications(3, seed=4))])
    store.dispose()
    with sqlite3.connect(path) as conn:  # as the release before this one left them
        conn.execute("UPDATE applications SET source = '/hem/Elever Kalle A/' || source WHERE id = 1")
        conn.execute("UPDATE applications SET source = 'C:\\Elever\\Lisa B\\' || source WHERE id = 2")
        conn.execute("DELETE FROM migrations WHERE name = '0005_application_source_base_name'")
    open_store(f"sqlite:///{path}").dispose()  # opening a store applies what is pending
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT source FROM applications ORDER BY id")] == ["x0.json", "x1.json",
                                                                                             "x2.json"]


def test_same_content_is_a_no_op_other_content_refused_for_that_item_only(store):
    first = [application(application_id="VS-B-1"), application(application_id="VS-B-2")]
    store_received(store, received(first))
    before = table_rows(store)

    changed = application(application_id="VS-B-2", requested_amount_sek=250000)
    again = store_received(store, received([first[0], changed, application(application_id="VS-B-3")]))
    assert not again[0].created and again[0].message.startswith("redan mottagen (ärende 1)")
    assert isinstance(again[1], DuplicateApplication) and again[1].application_id == "VS-B-2"
    assert "redan mottagen (ärende 2) med annat innehåll" in str(again[1])
    assert again[2].created  # the rest of the chunk is stored
    after = table_rows(store)
    assert after["cases"][:2] == before["cases"] and len(after["cases"]) == 3
    assert after["events"][:len(before["events"])] == before["events"]
    assert store_problems(store, redecide) == []


def test_the_same_id_twice_in_one_chunk_is_stored_once(store):
    raw = application(application_id="VS-B-9")
    other = application(application_id="VS-B-9", requested_amount_sek=1)
    results = store_received(store, received([raw, raw, other]))
    assert results[0].created
    assert not results[1].created and "redan mottagen" in results[1].message
    assert isinstance(results[2], DuplicateApplication) and results[2].case_id == results[0].case_id
    assert len(table_rows(store)["cases"]) == 1
    assert already_stored(store, [raw, other]) == [True, False]


def test_a_chunk_enters_its_events_in_the_city_wide_ledger_in_the_order_written(db_url):
    """Batch and one-by-one writes share one ledger: whole, chained, in the order events were written,
    so ``stod audit verify`` holds after a batch, and a batch's entry removed is found."""
    from sqlalchemy import delete

    from cases.ledger import LedgerEntry, verify_ledger
    from cases.store import open_store

    store = open_store(db_url)
    raws = generate_applications(9, seed=21)
    W.submit(store, None, *decided(raws[0]))
    store_received(store, received(raws[1:5]))
    W.submit(store, None, *decided(raws[5]))
    store_received(store, received(raws[6:]))
    with store.read() as s:
        assert verify_ledger(s) == []
        events = s.execute(select(Case.application_id, EventRecord.seq).join(Case, EventRecord.case_id == Case.id)
                           .order_by(EventRecord.id)).all()
        entries = s.execute(select(LedgerEntry.application_id, LedgerEntry.event_seq).order_by(LedgerEntry.seq)).all()
    assert [tuple(e) for e in entries] == [tuple(e) for e in events] and len(entries) >= 9 * 3
    assert CliRunner().invoke(main, ["audit", "verify", "--db", db_url]).exit_code == 0
    with store.write() as s:
        s.execute(delete(LedgerEntry).where(LedgerEntry.seq == 8))
    with store.read() as s:
        assert any("huvudkedjans post 9 där 8 väntades" in str(p) for p in verify_ledger(s))
    store.dispose()


def test_a_chunk_that_fails_part_way_leaves_nothing(store):
    store_received(store, received([application(application_id="VS-B-0")]))
    before = table_rows(store)
    items = received([application(application_id=f"VS-B-{n}") for n in range(1, 6)])
    items[3].decision = {**W.decision_fields(items[3].decision), "decision_date": "not a date"}
    with pytest.raises(ValueError):
        store_received(store, items)
    assert table_rows(store) == before  # not one case of the chunk, not one event
    from cases.ledger import LedgerEntry

    with store.read() as s:  # nor one ledger entry
        assert [e.event_seq for e in s.execute(select(LedgerEntry)).scalars()] == [1, 2, 3]


def _files(tmp_path, raws) -> list[str]:
    paths = []
    for n, raw in enumerate(raws):
        path = tmp_path / f"{n:03d}.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_check_with_two_workers_prints_what_one_worker_prints_in_order(tmp_path):
    raws = generate_applications(30, seed=9)
    paths = _files(tmp_path, raws)
    runner = CliRunner()
    one = runner.invoke(main, ["check", *paths, "--json", "--date", "2027-12-31", "--workers", "1"])
    two = runner.invoke(main, ["check", *paths, "--json", "--date", "2027-12-31", "--workers", "2"])
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout_bytes == two.stdout_bytes
    objects = json.loads(two.stdout)
    assert [o["application_id"] for o in objects] == [r["application_id"] for r in raws]
    # one list written as a whole is the same text as the objects written one by one and joined
    whole = [api.summary(redecide(raw, DAY)) for raw in raws[:3]]
    assert b"".join(array_pieces([array_item(output_json(o)) for o in whole])) == output_json(whole)
    assert b"".join(array_pieces([])) == output_json([])
    text = runner.invoke(main, ["check", *paths[:10], "--date", "2027-12-31", "--workers", "2"])
    assert text.exit_code == 0
    positions = [text.stdout.index(raw["application_id"]) for raw in raws[:10]]
    assert positions == sorted(positions)


def _check_both(paths, *options):
    """``stod check`` of the same files with one worker and with two: (one, two) results."""
    runner = CliRunner()
    return [runner.invoke(main, ["check", *paths, *options, "--workers", n]) for n in ("1", "2")]


@pytest.mark.parametrize("options", [("--json",), (), ("--json", "--date", "2027-12-31")])
def test_check_with_two_workers_refuses_exactly_what_one_worker_refuses(tmp_path, options):
    """Every refused file is listed, in the order given, as one worker lists them: same output, same exit."""
    paths = _files(tmp_path, generate_applications(24, seed=9))
    (tmp_path / "005.json").write_text("{", encoding="utf-8")
    (tmp_path / "009.json").write_text("[]", encoding="utf-8")
    (tmp_path / "014.json").write_text('{"kind": "verksamhetsstod", "kind": "csi"}', encoding="utf-8")
    raw = json.loads((tmp_path / "020.json").read_text(encoding="utf-8"))
    (tmp_path / "020.json").write_text(json.dumps({**raw, "pupil": {**raw["pupil"], "grade": "tre"},
                                                   "received": "2020-01-01"}), encoding="utf-8")
    one, two = _check_both(paths, *options)
    assert (one.exit_code, one.stdout, one.stderr) == (two.exit_code, two.stdout, two.stderr)
    assert two.exit_code == 2 and "Traceback" not in two.output
    shown = two.stdout if "--json" in options else two.stderr
    positions = [shown.index(f"{n:03d}.json") for n in (5, 9, 14, 20)]  # every refused file, in order
    assert positions == sorted(positions)
    assert "pupil.grade" in shown and "received" in shown and "två gånger" in shown
    if "--json" in options:
        errors = json.loads(two.stdout)["errors"]
        assert {e["file"].rsplit("/", 1)[-1] for e in errors} == {"005.json", "009.json", "014.json", "020.json"}


@pytest.mark.parametrize("options", [("--json",), (), ("--json", "--date", "2027-12-31")])
def test_check_in_groups_answers_what_checking_file_by_file_answers(tmp_path, monkeypatch, options):
    """Enough files to be decided in groups (``stod.batch.GROUP``), stage by stage, with either
    number of workers: the same output and exit as deciding them one by one, refused files in
    the middle of a group included."""
    from stod import batch

    paths = _files(tmp_path, generate_applications(80, seed=11))
    assert len(batch._groups(paths, 2)[0]) == batch.GROUP > 1
    runner = CliRunner()

    def check(workers):
        return runner.invoke(main, ["check", *paths, *options, "--workers", workers])

    grouped = [check("1"), check("2")]
    monkeypatch.setattr(batch, "GROUP", 1)
    alone = check("1")
    assert all((r.exit_code, r.stdout, r.stderr) == (alone.exit_code, alone.stdout, alone.stderr) for r in grouped)
    assert alone.exit_code == 0 and len(alone.stdout) > 80 * 1000
    (tmp_path / "010.json").write_text("{", encoding="utf-8")  # the third file of the second group
    raw = json.loads((tmp_path / "041.json").read_text(encoding="utf-8"))
    (tmp_path / "041.json").write_text(json.dumps({**raw, "received": "2020-01-01"}), encoding="utf-8")
    (tmp_path / "047.json").write_text("[]", encoding="utf-8")
    alone = check("1")
    monkeypatch.undo()
    grouped = [check("1"), check("2")]
    assert all((r.exit_code, r.stdout, r.stderr) == (alone.exit_code, alone.stdout, alone.stderr) for r in grouped)
    assert alone.exit_code == 2 and "Traceback" not in alone.output
    shown = alone.stdout if "--json" in options else alone.stderr
    assert [shown.index(f"{n:03d}.json") for n in (10, 41, 47)] == sorted(shown.index(f"{n:03d}.json")
                                                                           for n in (10, 41, 47))


def test_in_stages_runs_each_stage_over_a_group_and_stops_only_the_entry_that_failed():
    from engine.parallel import in_stages

    calls = []

    def stage(name, fails_on=(), error=ValueError):
        def run(entry):
            calls.append((name, entry))
            if entry in fails_on:
                raise error(f"{name} {entry}")
        return ((ValueError,), run)

    failed = in_stages(list(range(5)), [stage("read", fails_on=(1,)), stage("decide", fails_on=(2, 4)),
                                        stage("write")], size=3)
    assert {i: (str(e), n) for i, (e, n) in failed.items()} == {1: ("read 1", 0), 2: ("decide 2", 1),
                                                                4: ("decide 4", 1)}
    assert calls == [("read", 0), ("read", 1), ("read", 2), ("decide", 0), ("decide", 2), ("write", 0),
                     ("read", 3), ("read", 4), ("decide", 3), ("decide", 4), ("write", 3)]
    with pytest.raises(KeyError):  # an error the stage does not expect is raised, not kept
        in_stages([0], [((ValueError,), lambda e: {}[e])])


def test_submit_refuses_only_the_application_the_engine_fails_on(tmp_path, monkeypatch):
    """Applications are decided in groups, stage by stage: an engine fault on one (here the fourth
    of a group) refuses that one, and every other file of the chunk is stored and reported in order."""
    from engine.errors import EngineError

    raws = generate_applications(40, seed=12)
    paths = _files(tmp_path, raws)
    victim = raws[11]["application_id"]
    decide = api.decide

    def failing(app, day):
        if app.application_id == victim:
            raise EngineError("regelområdet kunde inte avgöra ansökan")
        return decide(app, day)

    monkeypatch.setattr(api, "decide", failing)
    result = CliRunner().invoke(main, ["submit", *paths, "--date", "2027-12-31", "--workers", "1", "--json",
                                       "--db", str(tmp_path / "s.db")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    rows = report["results"] if isinstance(report, dict) else report
    assert [r["file"].rsplit("/", 1)[-1] for r in rows] == [f"{n:03d}.json" for n in range(40)]
    assert [r["ok"] for r in rows] == [n != 11 for n in range(40)]
    assert "kunde inte avgöra" in rows[11]["error"]
    store = S.Store(f"sqlite:///{tmp_path / 's.db'}")
    with store.read() as session:
        stored = set(session.execute(select(Case.application_id)).scalars())
    store.dispose()
    assert stored == {raw["application_id"] for raw in raws} - {victim}


def test_check_with_two_workers_stops_where_one_worker_stops(tmp_path):
    """A file that cannot be read at all stops the run there, with either number of workers."""
    paths = _files(tmp_path, generate_applications(16, seed=9))
    (tmp_path / "003.json").write_text("{", encoding="utf-8")
    paths[7] = str(tmp_path / "saknas.json")
    for options in (("--json",), ()):
        one, two = _check_both(paths, *options)
        assert (one.exit_code, one.stdout, one.stderr) == (two.exit_code, two.stdout, two.stderr)
        assert two.exit_code == 2 and "saknas.json" in two.stderr and "Traceback" not in two.output


def test_submit_with_two_workers_stores_in_order_and_reports_each_file(db_url, tmp_path):
    from cases.store import open_store

    raws = generate_applications(60, seed=11)
    paths = _files(tmp_path, raws)
    (tmp_path / "010.json").write_text('{"kind": "verksamhetsstod"}', encoding="utf-8")
    runner = CliRunner()
    args = ["submit", *paths, "--json", "--date", "2027-12-31", "--db", db_url]
    first = runner.invoke(main, [*args, "--workers", "2"])
    assert first.exit_code == 2, first.output
    report = json.loads(first.stdout)
    assert [r["file"] for r in report] == paths
    assert [r["ok"] for r in report] == [n != 10 for n in range(60)]
    assert "received" in report[10]["error"]
    stored = [r for r in report if r["ok"]]
    assert [r["case_id"] for r in stored] == list(range(1, 60))  # cases numbered in the order given
    store = open_store(db_url)
    assert store_problems(store, redecide) == []
    rows = table_rows(store)
    again = runner.invoke(main, [*args, "--workers", "2"])
    assert again.exit_code == 2
    assert all(not r["created"] for r in json.loads(again.stdout) if r["ok"])
    assert table_rows(store) == rows
    store.dispose()


def test_what_workers_prepare_is_stored_as_what_the_store_prepares(tmp_path):
    """Rows made where a chunk is decided (``cases.batch.prepare``), in workers or not, are the rows the store makes itself."""
    from cases.store import open_store

    raws = generate_applications(50, seed=17)
    paths = _files(tmp_path, raws)
    stores = {}
    for workers in ("1", "2"):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        result = CliRunner().invoke(main, ["submit", *paths, "--date", "2027-12-31", "--db", url, "--workers", workers])
        assert result.exit_code == 0, result.output
        stores[workers] = open_store(url)
    here = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    store_received(here, received(raws))  # not prepared: the store prepares every item itself
    assert comparable(stores["1"]) == comparable(stores["2"]) == comparable(here)
    assert store_problems(stores["2"], redecide) == []
    for store in (*stores.values(), here):
        store.dispose()


@pytest.mark.parametrize("mapping", ["ordered_map", "split_map"])
@pytest.mark.parametrize("workers", [1, 2])
def test_mapping_leaves_the_garbage_collector_as_it_found_it(workers, mapping):
    import gc

    from engine import parallel

    ordered_map = getattr(parallel, mapping)

    threshold = gc.get_threshold()
    assert list(ordered_map(abs, range(-20, 0), workers)) == list(range(20, 0, -1))
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    gc.freeze()  # someone else froze: their objects stay frozen until they unfreeze
    try:
        frozen = gc.get_freeze_count()
        assert list(ordered_map(abs, range(-5, 0), workers)) == [5, 4, 3, 2, 1]
        assert gc.get_freeze_count() >= frozen and gc.get_threshold() == threshold
    finally:
        gc.unfreeze()



_TURNS = None  # the InTurn of the test below, inherited by the pool's workers


def _in_turn(k: int) -> tuple[int, bool]:
    """Item k: a slow start for the even ones (so the odd ones come to their turn first), then
    its turn: the time it began, and whether the run was still going. Item 3 stops the run."""
    import time

    time.sleep(0.05 if k % 2 == 0 else 0)
    with _TURNS.turn(k) as going:
        began = time.monotonic_ns()
        if k == 3:
            _TURNS.stop()
        time.sleep(0.01)
    return began, going


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_turns_come_in_input_order_whichever_worker_holds_the_item_and_a_stop_holds_for_the_rest(workers):
    """What ``stod submit`` stores its chunks with: item k's turn begins only after the turns of
    the items before it are over (each worker storing the chunk it decided, in input order); once
    one turn stops the run, no later turn goes on. An error raised in a turn stops it too."""
    global _TURNS
    from engine.parallel import InTurn, ordered_map

    _TURNS = InTurn(workers)
    try:
        done = list(ordered_map(_in_turn, range(8), workers))
    finally:
        _TURNS = None
    began = [b for b, _ in done]
    assert began == sorted(began)
    assert [going for _, going in done] == [True] * 4 + [False] * 4

    turns = InTurn(1)
    with pytest.raises(ZeroDivisionError):
        with turns.turn(0):
            1 / 0
    with turns.turn(1) as going:
        assert not going

def test_whatif_and_replay_report_the_same_with_two_workers(tmp_path):
    import shutil

    from cases.store import open_store
    from engine.yamlsource import default_rules_root
    from reports.replay import replay_all
    from reports.whatif import whatif

    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    store_received(store, received(generate_applications(240, seed=13)))
    proposed = tmp_path / "rules"
    shutil.copytree(default_rules_root(), proposed)
    limit = proposed / "verksamhetsstod" / "parameters"
    changed = False
    for path in sorted(limit.glob("*.yaml")):  # a proposal that changes something: amounts up by a tenth
        text = path.read_text(encoding="utf-8")
        if "monthly_amount_by_level" in path.name or "monthly_amount_by_level" in text:
            path.write_text(text.replace("40000", "44000").replace("28000", "30800"), encoding="utf-8")
            changed = True
    assert changed
    with store.read() as session:
        one = whatif(session, proposed, workers=1).to_dict()
        two = whatif(session, proposed, workers=2).to_dict()
    assert one == two and one["cases"] == 240 and one["changed"] > 0
    r1, r2 = replay_all(store.url, workers=1), replay_all(store.url, workers=2)
    assert r2.workers == 2
    assert (r1.proposals, r1.identical, r1.differing) == (r2.proposals, r2.identical, r2.differing) == (240, 240, 0)
    store.dispose()


@pytest.mark.parametrize("mapping", ["ordered_map", "split_map"])
def test_workers_end_with_a_parent_killed_part_way(tmp_path, mapping):
    """kill -9 of a command that decides in workers leaves no worker process behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "slow.py"
    script.write_text(
        "import os, sys, time\n"
        f"from engine.parallel import {mapping} as ordered_map\n"
        "def slow(i):\n"
        "    os.write(1, str(os.getpid()).encode() + bytes([10]))  # one write: lines of two workers do not mix\n"
        "    time.sleep(60)\n"
        "    return i\n"
        "list(ordered_map(slow, range(4), 2))\n", encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": root})
    try:
        workers = {int(proc.stdout.readline()), int(proc.stdout.readline())}
        workers.discard(proc.pid)  # split_map's parent does a share itself
        assert workers
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    deadline = time.monotonic() + 10
    alive = set(workers)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    state = handle.read().split(")")[-1].split()[0]
            except FileNotFoundError:
                state = "gone"
            if state in ("gone", "Z", "X"):
                alive.discard(pid)
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived their parent"


@pytest.mark.parametrize("count", [0, 1, 7, 60, 500, 801, 2000])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_chunks_keep_every_file_once_in_order(count, workers):
    from stod.batch import CHUNK, chunks

    paths = [f"{n}.json" for n in range(count)]
    cut = chunks(paths, workers)
    assert [p for chunk in cut for p in chunk] == paths and all(0 < len(c) <= CHUNK for c in cut)
    if workers > 1 and count >= 2000:  # writing starts on a small chunk and ends on one
        assert len(cut[0]) == len(cut[-1]) == CHUNK // 4 and max(map(len, cut)) == CHUNK


def test_submit_refuses_a_file_with_every_problem_check_names(tmp_path):
    """submit reads a file as check does: the personnummer and the unknown field, both, nothing stored."""
    raw = generate_applications(1, seed=23)[0]
    path = tmp_path / "pnr.json"
    path.write_text(json.dumps({**raw, "notes": "elev 990101-1234", "extra": 1}, ensure_ascii=False), encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", str(path), "--date", "2027-12-31"])
    db = tmp_path / "s.db"
    submitted = CliRunner().invoke(main, ["submit", str(path), "--date", "2027-12-31", "--db", str(db), "--json"])
    assert checked.exit_code == submitted.exit_code == 2
    problems = {(e["field"], e["message"]) for e in json.loads(submitted.stdout)["errors"]}
    assert {field for field, _ in problems} == {"notes", "extra"}
    assert all(message in checked.output for _, message in problems)
    assert "990101" not in submitted.output + checked.output


def _fails_on(item):
    if item in (3, 17):
        raise ValueError(f"item {item}")
    return item * 2


def _dies_on(item):
    import os

    if item == 15:
        os._exit(3)
    return item


@pytest.mark.parametrize("workers", [1, 2, 3, 5])
@pytest.mark.parametrize("count", [0, 1, 2, 7, 8, 9, 40, 101])
def test_split_map_keeps_input_order(workers, count):
    from engine.parallel import split_map

    assert split_map(_double, range(count), workers) == [2 * i for i in range(count)]


def _double(item):
    return 2 * item


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_split_map_raises_the_first_error_as_map_would(workers):
    from engine.parallel import split_map

    with pytest.raises(ValueError, match="item 3"):
        split_map(_fails_on, range(20), workers)
    with pytest.raises(ValueError, match="item 17"):  # only in the last share
        split_map(_fails_on, range(4, 20), workers)


def test_split_map_a_worker_that_dies_is_an_error_and_none_is_left():
    import os

    from engine.parallel import split_map

    with pytest.raises(RuntimeError, match="ended without its results"):
        split_map(_dies_on, range(20), 2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every worker reaped


# -- split_write: output written while the items are worked on, kept or taken back --------------


def _piece(item):
    """A result and its output: odd items write nothing (data None)."""
    return item, (None if item % 2 else f"<{item}>".encode())


def _piece_or_fail(item):
    return _fails_on(item) if item == 17 else _piece(item)


def _expected(items, opening=b"[", between=b",", closing=b"]"):
    return opening + between.join(f"<{i}>".encode() for i in items if not i % 2) + closing


def _outputs(tmp_path):
    """Where ``stod check --json`` may write: a new file, a file appended to, a pipe's stand-in
    (a stream without a file), and a file not at its end (written over): (name, open, read back)."""
    import io

    def file(mode, before=b""):
        path = tmp_path / f"out-{mode.replace('+', 'p')}-{len(before)}"
        path.write_bytes(before)
        return lambda: open(path, mode), lambda: path.read_bytes()

    class Stream(io.BytesIO):  # a pipe's stand-in: no file behind it, read back after the block
        def close(self):
            pass

    memory = Stream()
    return {"new file": file("wb"), "appended": file("ab", b"before\n"), "stream": (lambda: memory, memory.getvalue),
            "written over": file("r+b", b"0123456789")}


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("where", ["new file", "appended", "stream", "written over"])
@pytest.mark.parametrize("keep", [True, False], ids=["kept", "taken back"])
def test_split_write_writes_the_data_in_input_order_and_keeps_it_or_takes_it_back(tmp_path, workers, where, keep):
    from engine.parallel import split_write

    open_, read = _outputs(tmp_path)[where]
    before = read()
    with open_() as out:
        with split_write(_piece, range(41), workers, out, opening=b"[", between=b",", closing=b"]") as written:
            assert written.results == list(range(41))
            if keep:
                written.keep()
        if not keep:  # as when a file was refused: not kept, or an error on the way
            with pytest.raises(ValueError, match="item 17"):
                with split_write(_piece_or_fail, range(40), workers, out):
                    pass
    expected = _expected(range(41)) if keep else b""
    assert read() == (expected + before[len(expected):] if where == "written over" else before + expected)


def test_split_write_skips_the_separator_when_the_first_share_wrote_nothing(tmp_path):
    from engine.parallel import split_write

    out = tmp_path / "out"
    with open(out, "wb") as handle:
        with split_write(_piece, [1, 3, 5, 7, 8, 9, 10, 12], 2, handle, opening=b"[", between=b",",
                         closing=b"]", min_items=2) as written:
            written.keep()
    assert out.read_bytes() == b"[<8>,<10>,<12>]"


def test_check_json_of_many_files_written_as_before_to_a_file_a_pipe_and_appended(tmp_path):
    """The array ``stod check --json`` writes while it decides is the one ``array_pieces`` makes,
    whatever the output is; with a refused file it is taken back: only the errors are printed."""
    import subprocess
    import sys

    raws = generate_applications(20, seed=13)
    paths = _files(tmp_path, raws)
    whole = b"".join(array_pieces([array_item(output_json(api.summary(redecide(raw, DAY)))) for raw in raws]))
    args = [sys.executable, "-m", "stod", "check", *paths, "--json", "--date", "2027-12-31"]
    for workers in ("1", "2"):
        piped = subprocess.run([*args, "--workers", workers], capture_output=True)
        assert (piped.returncode, piped.stdout, piped.stderr) == (0, whole, b"")
        out = tmp_path / f"ut-{workers}.json"
        out.write_bytes(b"earlier output\n")
        with open(out, "ab") as handle:
            assert subprocess.run([*args, "--workers", workers], stdout=handle).returncode == 0
        assert out.read_bytes() == b"earlier output\n" + whole
    (tmp_path / "019.json").write_text("{", encoding="utf-8")  # the last file: after all the others were written
    for workers in ("1", "2"):
        piped = subprocess.run([*args, "--workers", workers], capture_output=True)
        out = tmp_path / f"fel-{workers}.json"
        with open(out, "wb") as handle:
            assert subprocess.run([*args, "--workers", workers], stdout=handle).returncode == 2
        assert piped.returncode == 2 and out.read_bytes() == piped.stdout
        assert list(json.loads(piped.stdout)) == ["errors"] and b"019.json" in piped.stdout


class _Unrebuildable(Exception):
    def __init__(self, what: str, where: int):  # not rebuilt from its args: pickle calls it with one
        super().__init__(f"{what} at {where}")


def _fails_at_six(k: int) -> int:
    if k == 6:  # in a forked worker's share for either mapping (split_map does the first share itself)
        raise _Unrebuildable("trasig", k)
    return k


def test_an_error_a_worker_cannot_send_back_as_it_is_reaches_the_parent_and_does_not_hang_it():
    """A worker's exception whose class cannot be rebuilt in the parent (it takes other arguments
    than its ``args``) used to stop the pool's result thread, and the parent waited for ever (as a
    refused application did once, when workers began storing their own chunks): it comes back
    as a RuntimeError that names it."""
    import subprocess
    import sys

    for mapping in ("ordered_map", "split_map"):
        probe = ("import sys; sys.path.insert(0, 'tests'); from test_batch_store import _fails_at_six\n"
                 f"from engine.parallel import {mapping}\n"
                 f"try:\n    list({mapping}(_fails_at_six, range(8), 2))\n"
                 "except RuntimeError as error:\n    print('raised', error)\n")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == "raised _Unrebuildable: trasig at 6", mapping + done.stdout + done.stderr
