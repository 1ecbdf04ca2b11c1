"""The case store: round trips, idempotency, conflicts, rollback, history, on SQLite and PostgreSQL.

Every test runs on a SQLite file; with STOD_TEST_PG_URL set (``.ci/pg.sh start`` prints one)
each also runs on PostgreSQL, in a fresh schema of its own.
"""
from __future__ import annotations

import copy
import os
import threading
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import create_engine, func, select, text

from cases import workflow as W
from cases.errors import ConflictError, DuplicateApplication, InputRefused, StateError
from cases.events import verify_events
from cases.models import ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord, Migration, RulesetVersion
from cases.store import find_case, open_store, resolve_url, ruleset_files, sha256_of
from engine import api
from engine.area import load_area
from engine.yamlsource import DictSource, content_hash

PG_URL = os.environ.get("STOD_TEST_PG_URL")
DAY = date(2026, 12, 20)


def application(**changes) -> dict:
    """A complete verksamhetsstöd application (a partial grant: VS-P1 cuts the start, netting)."""
    app = {
        "kind": "verksamhetsstod", "application_id": "VS-T-001", "received": "2026-12-09",
        "school": {"unit_code": "48213551", "name": "Västbergaskolan", "district": "Hägersten-Älvsjö",
                   "municipality": "Stockholm", "organizer": "kommunal", "socioeconomic_index": 96.0},
        "applicant": {"role": "rektor", "name": "Rektor Exempelsson"},
        "pupil": {"ref": "EL-292004", "grade": 7},
        "renewal": False, "previous_decision_id": None,
        "period": {"start_month": "2026-09", "end_month": "2027-08"},
        "need": {"description": "Eleven behöver stöd av assistent hela dagen.", "diagnoses": ["autism", "adhd"],
                 "measures": ["assistenthjalp"], "extraordinary_hours_per_week": 10, "share_in_special_group": 0.9},
        "documents": {"atgardsprogram": {"date": "2026-04-06", "signed_by_rektor": True},
                      "utredning": {"date": "2026-03-16"},
                      "extra_anpassningar_utvardering": {"date": "2026-08-05"},
                      "foregaende_period_utvardering": None, "vardnadshavare_informerade": True},
        "requested_amount_sek": 300000,
    }
    for path, value in changes.items():
        node = app
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stod.db'}"
        return
    if not PG_URL:
        pytest.skip("STOD_TEST_PG_URL is not set (start one with .ci/pg.sh start)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(resolve_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def store(db_url):
    st = open_store(db_url)
    yield st
    st.dispose()


def submit(store, raw=None, day=DAY):
    app, raw = api.read_application(copy.deepcopy(raw or application()))
    return W.submit(store, app, raw, lambda a: api.decide(a, day))


def count(store, model) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_migrations_are_named_and_applied_once(db_url):
    first = open_store(db_url)
    assert first.applied_migrations[0] == "0001_initial_schema"
    second = open_store(db_url)
    assert second.applied_migrations == []
    with second.read() as session:
        names = set(session.execute(select(Migration.name)).scalars())
    assert set(first.applied_migrations) == names
    first.dispose(), second.dispose()


def test_indexes_that_another_index_serves_are_dropped_from_old_stores_and_not_made_in_new(db_url):
    """Migration 0004: each dropped index's column leads another index of its table, which the
    look-ups use instead; a store made before it loses them, a new store never has them."""
    from sqlalchemy import inspect

    from cases.store import REDUNDANT_INDEXES

    def indexes(st):
        with st.engine.connect() as conn:
            found = inspect(conn)
            return {ix["name"] for table in ("cases", "applications", "findings", "events")
                    for ix in found.get_indexes(table)}

    new = open_store(db_url)
    have = indexes(new)
    assert not have & set(REDUNDANT_INDEXES)
    assert "ix_cases_status_received" in have  # what serves a look-up by status
    with new.engine.begin() as conn:  # as a store made before 0004 was
        for name, ddl in (("ix_cases_status", "cases (status)"), ("ix_applications_application_id", "applications (application_id)"),
                          ("ix_findings_decision_id", "findings (decision_id)"), ("ix_events_case_id", "events (case_id)")):
            conn.execute(text(f"CREATE INDEX {name} ON {ddl}"))
        conn.execute(text("DELETE FROM migrations WHERE name = '0004_drop_redundant_indexes'"))
    assert set(REDUNDANT_INDEXES) <= indexes(new)
    new.dispose()
    old = open_store(db_url)
    assert old.applied_migrations == ["0004_drop_redundant_indexes"]
    assert not indexes(old) & set(REDUNDANT_INDEXES)
    submit(old)  # and the store works as before
    assert count(old, FindingRecord) > 0
    old.dispose()


def test_a_letter_is_compressed_by_lz4_on_postgresql_and_one_stored_before_reads_as_it_was(db_url):
    """Migration 0007: on PostgreSQL a proposal's letter (the one value compressed) is compressed
    by lz4, not pglz; a letter stored before the migration (pglz) reads back the same after it."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite compresses nothing: the migration leaves it as it is")

    def compression(conn, row_id=None):
        if row_id is None:
            return conn.execute(text("SELECT attcompression FROM pg_attribute WHERE attrelid = 'decisions'::regclass "
                                     "AND attname = 'text'")).scalar_one()
        return conn.execute(text("SELECT pg_column_compression(text) FROM decisions WHERE id = :i"),
                            {"i": row_id}).scalar_one()

    st = open_store(db_url)
    with st.engine.connect() as conn:
        if not conn.execute(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                 "WHERE name = 'default_toast_compression'")).scalar():
            pytest.skip("this PostgreSQL is built without lz4: the migration keeps pglz")
        assert compression(conn) == "l"
    with st.engine.begin() as conn:  # as a store made before 0007 was
        conn.execute(text("ALTER TABLE decisions ALTER COLUMN text SET COMPRESSION pglz"))
        conn.execute(text("DELETE FROM migrations WHERE name = '0007_letters_by_lz4'"))
    before = submit(st)
    st.dispose()
    st = open_store(db_url)
    assert st.applied_migrations == ["0007_letters_by_lz4"]
    after = submit(st, application(application_id="VS-LZ4-2"))
    with st.engine.connect() as conn:
        assert compression(conn) == "l"
        assert compression(conn, before.decision_id) == "pglz" and compression(conn, after.decision_id) == "lz4"
        texts = dict(conn.execute(text("SELECT id, text FROM decisions")).all())
    assert len(texts[before.decision_id]) > 2000 and "Beslut" in texts[before.decision_id]
    assert texts[before.decision_id].replace(before.application_id, after.application_id) == texts[after.decision_id]
    st.dispose()


def test_submit_round_trip(store):
    raw = application()
    result = submit(store, raw)
    assert (result.created, result.status, result.outcome, result.amount_sek) == (True, "forslag", "delvis_bifall", 70100)
    app, _ = api.read_application(copy.deepcopy(raw))
    engine = api.decide(app, DAY)
    view = W.case_view(store, result.case_id, role="handlaggare")
    stored_app = view["applications"][0]
    assert stored_app["raw"] == raw and stored_app["sha256"] == sha256_of(raw)
    proposal = view["current"]
    assert proposal["kind"] == "proposal"
    assert proposal["decisive_rules"] == engine.decisive_rules
    assert proposal["granted_period"] == engine.granted_period
    assert (proposal["level"], proposal["text"]) == (engine.level, engine.text)
    assert proposal["ruleset_version"] == engine.ruleset["version"]
    assert proposal["decision_date"] == DAY
    assert {f["rule_id"]: f["status"] for f in view["findings"]} == {f.rule_id: f.status for f in engine.findings}
    assert [e["type"] for e in view["events"]] == ["received", "evaluated", "proposal"]
    assert view["case"]["school_name"] == "Västbergaskolan" and view["case"]["received"] == date(2026, 12, 9)


def test_stored_ruleset_replays_the_same_decision(store):
    result = submit(store)
    with store.read() as session:
        proposal = session.get(DecisionRecord, result.decision_id)
        files = ruleset_files(session, proposal.ruleset_area, proposal.ruleset_version)
    source = DictSource(files)
    assert content_hash(source, "verksamhetsstod") == proposal.ruleset_version
    app, _ = api.read_application(application())
    again = load_area("verksamhetsstod", source).decide(app, proposal.decision_date)
    assert (again.outcome, again.amount_sek, again.decisive_rules) == (proposal.outcome, proposal.amount_sek,
                                                                        proposal.decisive_rules)
    submit(store, application(application_id="VS-T-002"))
    assert count(store, RulesetVersion) == 1


def test_identical_application_twice_is_a_no_op(store):
    first = submit(store)
    before = [count(store, m) for m in (Case, ApplicationRecord, DecisionRecord, EventRecord)]
    second = submit(store)
    assert (second.case_id, second.created) == (first.case_id, False)
    assert "redan mottagen" in second.message
    assert [count(store, m) for m in (Case, ApplicationRecord, DecisionRecord, EventRecord)] == before


def test_same_id_other_content_is_refused_naming_the_id(store):
    submit(store)
    with pytest.raises(DuplicateApplication) as caught:
        submit(store, application(requested_amount_sek=250000))
    assert "VS-T-001" in str(caught.value) and caught.value.field == "application_id"
    assert count(store, ApplicationRecord) == 1


def test_failure_mid_submit_leaves_nothing(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(W, "_store_proposal", broken)
    with pytest.raises(RuntimeError):
        submit(store)
    for model in (Case, ApplicationRecord, DecisionRecord, FindingRecord, EventRecord):
        assert count(store, model) == 0, model.__name__
    monkeypatch.undo()
    assert submit(store).created  # and the same application goes in cleanly afterwards


def test_failure_mid_findings_leaves_nothing(store, monkeypatch):
    real = W._store_proposal

    def half(store_, session, case, app_row, decision, at, actor, rules_files):
        real(store_, session, case, app_row, decision, at, actor, rules_files)
        session.flush()
        raise RuntimeError("crash after the findings were written")

    monkeypatch.setattr(W, "_store_proposal", half)
    with pytest.raises(RuntimeError):
        submit(store)
    assert [count(store, m) for m in (Case, DecisionRecord, FindingRecord, EventRecord)] == [0, 0, 0, 0]


@pytest.mark.usefixtures("decided_late")
def test_confirm_keeps_proposal_and_decides(store):
    case = submit(store).case_id
    result = W.confirm(store, case, by="Anna Lindqvist", on=date(2026, 12, 22))
    assert (result.status, result.outcome, result.amount_sek) == ("beslutad", "delvis_bifall", 70100)
    with store.read() as session:
        decisions = session.execute(select(DecisionRecord).order_by(DecisionRecord.id)).scalars().all()
        decided = find_case(session, "VS-T-001")
    assert [d.kind for d in decisions] == ["proposal", "decision"]
    assert decisions[1].proposal_id == decisions[0].id and decisions[1].decided_by == "Anna Lindqvist"
    assert decided.decided_on == date(2026, 12, 22)


def test_second_decision_on_a_decided_case_is_a_conflict(store):
    case = submit(store).case_id
    W.confirm(store, case, by="Anna Lindqvist")
    with pytest.raises(ConflictError) as caught:
        W.override(store, case, outcome="avslag", reason_code="FELAKTIGA_UPPGIFTER", reason="fel timmar",
                   by="Bo Berg")
    assert "redan beslutat av Anna Lindqvist" in str(caught.value)
    assert count(store, DecisionRecord) == 2


def test_stale_version_is_a_conflict_and_writes_nothing(store):
    result = submit(store)
    with pytest.raises(ConflictError) as caught:
        W.confirm(store, result.case_id, by="Bo Berg", expected_version=result.version - 1)
    assert caught.value.actual_version == result.version
    assert count(store, DecisionRecord) == 1


def test_two_caseworkers_at_once_exactly_one_wins(db_url):
    setup = open_store(db_url)
    case = submit(setup).case_id
    setup.dispose()
    barrier, outcomes = threading.Barrier(2), []

    def decide(name, how):
        own = open_store(db_url)  # each caseworker has a store (and connections) of their own
        barrier.wait()
        try:
            if how == "confirm":
                W.confirm(own, case, by=name)
            else:
                W.override(own, case, outcome="avslag", reason_code="FELAKTIGA_UPPGIFTER",
                           reason="timmarna stämmer inte", by=name)
            outcomes.append(("won", name))
        except ConflictError as error:
            outcomes.append(("conflict", str(error)))
        finally:
            own.dispose()

    threads = [threading.Thread(target=decide, args=("Anna", "confirm")),
               threading.Thread(target=decide, args=("Bo", "override"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "won"], outcomes
    check = open_store(db_url)
    with check.read() as session:
        finals = session.execute(select(DecisionRecord).where(DecisionRecord.kind == "decision")).scalars().all()
        assert len(finals) == 1
        assert not verify_events(session)
    check.dispose()


@pytest.mark.usefixtures("decided_late")
def test_override_needs_a_known_reason_code_and_a_reason(store):
    case = submit(store).case_id
    with pytest.raises(InputRefused) as missing:
        W.override(store, case, outcome="avslag", reason_code=None, reason="x", by="Anna")
    assert "SARSKILDA_SKAL" in str(missing.value)
    with pytest.raises(InputRefused) as unknown:
        W.override(store, case, outcome="avslag", reason_code="NOPE", reason="x", by="Anna")
    assert "okänd skälkod 'NOPE'" in str(unknown.value)
    with pytest.raises(InputRefused):
        W.override(store, case, outcome="avslag", reason_code="RATTELSE", reason="  ", by="Anna")
    with pytest.raises(InputRefused):
        W.override(store, case, outcome="beviljas", reason_code="RATTELSE", reason="x", by="Anna")
    assert count(store, DecisionRecord) == 1
    result = W.override(store, case, outcome="bifall", reason_code="sarskilda_skal", amount_sek=300000,
                        reason="Behovet är större än timmarna visar.", by="Anna", on=date(2026, 12, 30))
    assert (result.outcome, result.amount_sek) == ("bifall", 300000)
    view = W.case_view(store, case)
    final = view["current"]
    assert (final["override_reason_code"], final["proposal_id"]) == ("SARSKILDA_SKAL", view["decisions"][0]["id"])
    assert view["decisions"][0]["outcome"] == "delvis_bifall"  # the proposal stays
    assert view["events"][-1]["type"] == "overridden"


def test_completion_round(store):
    missing = application(documents__atgardsprogram=None)
    result = submit(store, missing)
    assert (result.status, result.outcome) == ("komplettering_begard", "komplettering")
    with pytest.raises(StateError):
        W.confirm(store, result.case_id, by="Anna")
    update = {"received": "2027-01-02", "documents": {"atgardsprogram": {"date": "2027-01-02",
                                                                         "signed_by_rektor": True}}}
    done = W.add_documents(store, result.case_id, update, api.read_application,
                           lambda a: api.decide(a, date(2027, 1, 12)), at=datetime(2027, 1, 2, tzinfo=timezone.utc))
    assert done.created and done.status == "forslag" and done.outcome in ("bifall", "delvis_bifall")
    view = W.case_view(store, result.case_id, role="handlaggare")
    assert [a["revision"] for a in view["applications"]] == [1, 2]
    assert view["applications"][1]["raw"]["documents"]["atgardsprogram"]["date"] == "2027-01-02"
    assert view["applications"][0]["raw"] == missing  # the first version stays as it was sent
    assert [e["type"] for e in view["events"]] == ["received", "evaluated", "proposal", "completion_requested",
                                                   "documents_added", "evaluated", "proposal"]
    assert view["case"]["received"] == date(2026, 12, 9)  # processing time counts from the first receipt
    same = W.add_documents(store, result.case_id, update, api.read_application, lambda a: api.decide(a, DAY))
    assert not same.created
    W.confirm(store, result.case_id, by="Anna")
    with pytest.raises(StateError):
        W.add_documents(store, result.case_id, update, api.read_application, lambda a: api.decide(a, DAY))


def test_documents_without_a_date_arrive_on_the_day_of_this_machines_clock(store, monkeypatch):
    """At 00:30 in Stockholm (23:30 UTC the day before) documents sent without a date arrived
    on the Stockholm day, as ``date.today()`` and every decision date count it."""
    import time

    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:
        case = submit(store, application(documents__atgardsprogram=None)).case_id
        update = {"documents": {"atgardsprogram": {"date": "2027-01-02", "signed_by_rektor": True}}}
        W.add_documents(store, case, update, api.read_application, lambda a: api.decide(a, date(2027, 1, 12)),
                        at=datetime(2027, 1, 1, 23, 30, tzinfo=timezone.utc))
        turns = W.case_view(store, case, role="handlaggare")["applications"][1]["raw"]["completions"]
        assert turns[-1]["arrived"] == "2027-01-02"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_completion_for_another_application_is_refused(store):
    case = submit(store, application(documents__atgardsprogram=None)).case_id
    other = application(application_id="VS-OTHER")
    with pytest.raises(InputRefused) as caught:
        W.add_documents(store, case, other, api.read_application, lambda a: api.decide(a, DAY))
    assert "application_id" in str(caught.value)


@pytest.mark.parametrize("field,changes", [("school.unit_code", {"school__unit_code": "73920114"}),
                                            ("pupil.ref", {"pupil__ref": "EL-999999"})])
def test_a_completion_cannot_change_whose_application_it_is(store, field, changes):
    case = submit(store, application(documents__atgardsprogram=None)).case_id
    whole = application(documents__atgardsprogram={"date": "2027-01-02", "signed_by_rektor": True}, **changes)
    with pytest.raises(InputRefused) as caught:
        W.add_documents(store, case, whole, api.read_application, lambda a: api.decide(a, DAY),
                        received=date(2027, 1, 2))
    assert caught.value.field == field and "ny ansökan" in caught.value.problem
    assert [a["revision"] for a in W.case_view(store, case)["applications"]] == [1]


def test_a_completion_that_sends_nothing_new_keeps_the_case_and_its_deadline(store):
    case = submit(store, application(documents__atgardsprogram=None)).case_id
    deadline = W.case_view(store, case)["decisions"][-1]["completion_deadline"]
    for day in (date(2026, 12, 21), date(2026, 12, 28)):  # nothing, then the application as it was
        for update in ({"documents": {}}, application(documents__atgardsprogram=None)):
            again = W.add_documents(store, case, update, api.read_application, lambda a: api.decide(a, DAY),
                                    received=day)
            assert not again.created and "oförändrad" in again.message
    view = W.case_view(store, case)
    assert [a["revision"] for a in view["applications"]] == [1]
    assert view["decisions"][-1]["completion_deadline"] == deadline and len(view["decisions"]) == 1


def test_event_chain_detects_changed_and_deleted_events(store):
    case = submit(store).case_id
    W.confirm(store, case, by="Anna")
    with store.read() as session:
        assert verify_events(session) == []
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'Mallory' WHERE seq = 2"))
    with store.read() as session:
        problems = verify_events(session)
    assert [p.seq for p in problems] == [2] and "ändrad" in problems[0].problem
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'e-tjänsten' WHERE seq = 2"))
        conn.execute(text("DELETE FROM events WHERE seq = 4"))
    with store.read() as session:
        problems = verify_events(session)
    assert problems and "borttagen" in str(problems[-1])


def test_queue_oldest_first_against_target(store):
    submit(store, application(application_id="VS-LATE", received="2026-12-15"))
    submit(store, application(application_id="VS-EARLY", received="2026-11-01",
                              period={"start_month": "2026-12", "end_month": "2027-06"}))
    decided = submit(store, application(application_id="VS-DONE", received="2026-10-01"))
    W.confirm(store, decided.case_id, by="Anna")
    rows = W.queue(store, date(2026, 12, 20), 28)
    assert [r.application_id for r in rows] == ["VS-EARLY", "VS-LATE"]
    assert [(r.days_waited, r.over_target) for r in rows] == [(49, True), (5, False)]


def test_diagnoses_only_for_caseworkers(store):
    case = submit(store).case_id
    for role in (None, "rektor", "revisor"):
        raw = W.case_view(store, case, role)["applications"][0]["raw"]
        assert "autism" not in str(raw)
    assert W.case_view(store, case, "handlaggare")["applications"][0]["raw"]["need"]["diagnoses"] == ["autism", "adhd"]


def test_close_all_closes_every_store_and_a_store_shows_no_password(tmp_path):
    """``close_all`` (a command's end) closes the connections of every store opened, dropped
    ones too; a store's repr never shows a password."""
    from cases.store import Store, close_all

    db = tmp_path / "cases.db"
    store = Store(f"sqlite:///{db}")
    with store.read() as session:
        session.execute(text("SELECT 1"))
    Store(f"sqlite:///{db}")  # dropped at once: its engine lives on until garbage is collected
    assert (tmp_path / "cases.db-wal").exists()
    close_all()
    assert sorted(p.name for p in tmp_path.glob("cases.db*")) == ["cases.db"]
    shown = Store.__repr__(type("S", (), {"url": "postgresql+psycopg://stod:hemligt@db:5432/stod"})())
    assert "hemligt" not in shown and "stod:***@db" in shown
