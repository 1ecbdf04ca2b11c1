"""Stored CSI rounds: placements, waitlists, releases and group figures, on SQLite and PostgreSQL.

The data are round-example-2's requests, behind nine earlier placements that fill the two
groups that take AST pupils in grades 1–3 (CSI-AST-01, 6 places, and CSI-AST-05, 4 places)
but one place: four AST requests compete for it and for the other AST groups.
"""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from cases import csi as C
from cases import workflow as W
from cases.errors import ConflictError, InputRefused, StateError
from cases.events import verify_events
from cases.models import Case, DecisionRecord, EventRecord, FindingRecord
from cases.store import find_case, open_store
from engine import api
from engine.areas.csi import api as csi_api
from stod.services import csi as csi_service
from test_store import db_url, store  # noqa: F401  (fixtures: SQLite, and PostgreSQL with STOD_TEST_PG_URL)

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi"
SUBMITTED, ROUND_DAY, RELEASE_DAY = date(2026, 5, 4), date(2026, 6, 1), date(2026, 10, 15)
TERM = csi_api.term_of("HT2026")


def example2() -> list[dict]:
    return json.loads((CONTRACT / "round-example-2.json").read_text(encoding="utf-8"))["requests"]


def filler(n: int) -> dict:
    """An eligible AST request for grade 2 with the highest need: placed ahead of the examples."""
    raw = copy.deepcopy(next(r for r in example2() if r["application_id"] == "CSI-EX2-02"))
    raw.update(application_id=f"CSI-F-{n:02d}", received="2026-03-01", assessed_need_level=5)
    raw["pupil"]["ref"] = f"EL-9000{n:02d}"
    return raw


def submit(store, raws, day=SUBMITTED):
    for raw in raws:
        app, raw = api.read_application(copy.deepcopy(raw))
        W.submit(store, app, raw, lambda a: api.decide(a, day))


def run_round(store, day=ROUND_DAY):
    return csi_service.run_stored_round(store, TERM, day)


def confirm_place(store, application_id, day=ROUND_DAY):
    """A caseworker confirms the placement proposal (the policy: only a confirmed placement can be released)."""
    if W.case_view(store, application_id)["case"]["status"] != "beslutad":
        W.confirm(store, application_id, by="Bo Berg", on=day)


def release(store, ref, day=RELEASE_DAY, by="Anna Lindqvist"):
    confirm_place(store, ref)
    plan = C.plan_release(store, ref, day)
    offer, skipped = csi_service.offer_freed_place(plan, day)
    return C.store_release(store, plan, day, by, offer), skipped


def count(store, model) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def positions(store, term="HT2026") -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with store.read() as session:
        for e in session.execute(select(C.CsiWaitlistEntry).where(C.CsiWaitlistEntry.term == term,
                                                                   C.CsiWaitlistEntry.status == C.W_WAITING)).scalars():
            out.setdefault(e.application_id, {})[e.group_id] = e.position
    return out


@pytest.fixture
def two_rounds(store):
    """Round 1 places nine fillers; round 2 decides round-example-2's requests behind them."""
    submit(store, [filler(n) for n in range(1, 10)])
    status, first = run_round(store)
    assert status == csi_service.CREATED and first.counts() == {"requests": 9, "placering": 9}
    submit(store, example2())
    status, second = run_round(store)
    assert status == csi_service.CREATED and second.seq == 2
    return store, first, second


def test_round_with_more_requests_than_places_counts_earlier_placements(two_rounds):
    store, first, second = two_rounds
    assert {rid: r.group for rid, r in first.results.items()} == {
        **{f"CSI-F-{n:02d}": "CSI-AST-01" for n in range(1, 7)}, **{f"CSI-F-{n:02d}": "CSI-AST-05" for n in (7, 8, 9)}}
    got = {rid: (r.outcome, r.group, r.positions) for rid, r in second.results.items()}
    # One free place (CSI-AST-05) for the four AST pupils of grades 1-3: need, then date, then id.
    assert got == {
        "CSI-EX2-01": ("ko", None, {"CSI-AST-01": 2, "CSI-AST-05": 2}),
        "CSI-EX2-02": ("placering", "CSI-AST-05", {}),
        "CSI-EX2-03": ("ko", None, {"CSI-AST-01": 1, "CSI-AST-05": 1}),
        "CSI-EX2-04": ("placering", "CSI-AST-03", {}),  # grade 8: a group of its own grades had room
        "CSI-EX2-05": ("placering", "CSI-TSK-04", {}),  # its preferred group
        "CSI-EX2-06": ("placering", "CSI-TSK-02", {}),
        "CSI-EX2-07": ("ko", None, {"CSI-AST-01": 3, "CSI-AST-05": 3}),
    }
    with store.read() as session:
        taken = C.places_taken(session, TERM.start, TERM.end)
    assert taken == {"CSI-AST-01": 6, "CSI-AST-05": 4, "CSI-AST-03": 1, "CSI-TSK-04": 1, "CSI-TSK-02": 1}
    assert positions(store) == {rid: r.positions for rid, r in second.results.items() if r.positions}


def test_round_stores_proposals_findings_texts_placements_and_events(two_rounds):
    store, _, second = two_rounds
    placed, waiting = second.results["CSI-EX2-02"], second.results["CSI-EX2-03"]
    with store.read() as session:
        p = session.get(C.CsiPlacement, placed.placement_id)
        assert (p.group_id, p.school_name, p.term, p.start, p.end, p.review_date, p.other_school) == (
            "CSI-AST-05", "Vinsta skola", "HT2026", date(2026, 8, 1), date(2026, 12, 31), date(2026, 12, 17), True)
        assert p.rank == placed.rank and p.released_on is None
        record = session.get(DecisionRecord, placed.decision_id)
        assert (record.kind, record.outcome, record.decision_date) == ("proposal", "placering", ROUND_DAY)
        assert "CSI-AST-05" in record.text and "17 december 2026" in record.text and "skolplacering" in record.text
        rules = {f.rule_id: f.status for f in session.execute(
            select(FindingRecord).where(FindingRecord.decision_id == record.id)).scalars()}
        assert rules["CSI-R2"] == "met" and rules["CSI-R5"] == "met" and rules["CSI-K6"] == "met"
        ko = session.get(DecisionRecord, waiting.decision_id)
        assert ko.outcome == "ko" and "plats 1 i kön" in ko.text and "kan inte överklagas" in ko.text
        case = find_case(session, "CSI-EX2-02")
        types = [e.type for e in session.execute(select(EventRecord).where(EventRecord.case_id == case.id)
                                                 .order_by(EventRecord.seq)).scalars()]
        assert types == ["received", "evaluated", "proposal", "evaluated", "proposal", "placement"]
        assert case.status == "forslag"
        assert verify_events(session) == []


def test_rerunning_the_same_round_stores_nothing(two_rounds):
    store, _, second = two_rounds
    before = {m: count(store, m) for m in (DecisionRecord, EventRecord, C.CsiPlacement, C.CsiWaitlistEntry, C.CsiRound)}
    status, again = run_round(store, ROUND_DAY + timedelta(days=3))
    assert status == csi_service.UNCHANGED and again.seq == second.seq and not again.created
    assert again.counts() == {"requests": 7, "placering": 4, "ko": 3}
    assert {m: count(store, m) for m in before} == before


def test_a_round_is_stored_whole_or_not_at_all(two_rounds, monkeypatch):
    store, _, _ = two_rounds
    submit(store, [filler(n) for n in (20, 21, 22)])  # a change, so the next run is a new round
    before = {m: count(store, m) for m in (DecisionRecord, EventRecord, C.CsiPlacement, C.CsiWaitlistEntry, C.CsiRound)}
    real, calls = C._store_proposal, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(C, "_store_proposal", failing)
    with pytest.raises(RuntimeError):
        run_round(store)
    assert {m: count(store, m) for m in before} == before
    monkeypatch.undo()
    status, third = run_round(store)
    assert status == csi_service.CREATED and third.seq == 3


def test_a_round_stored_meanwhile_is_a_conflict(two_rounds):
    store, _, _ = two_rounds
    submit(store, [filler(30)])
    inputs = C.round_inputs(store, "HT2026", TERM.start, TERM.end, ("till_placeringsomgang", "ko"))
    run_round(store)  # someone else was quicker
    groups = csi_api.catalogue_for(TERM, inputs.taken)
    apps = [api.read_application(r.raw)[0] for r in inputs.requests]
    decided = csi_api.decide_round(TERM, groups, apps, ROUND_DAY)
    with pytest.raises(ConflictError, match="en annan omgång för HT2026"):
        C.store_round(store, inputs, "x", decided.decisions, decided.results, decision_date=ROUND_DAY)


def test_release_offers_the_place_to_the_first_in_line_and_moves_the_queue_up(two_rounds):
    store, first, _ = two_rounds
    released = first.results["CSI-F-01"]
    done, skipped = release(store, "CSI-F-01")
    assert skipped == [] and done.placement.id == released.placement_id
    assert done.placement.released_on == RELEASE_DAY and done.placement.released_by == "Anna Lindqvist"
    offered = done.offered
    assert (offered.application_id, offered.outcome, offered.group) == ("CSI-EX2-03", "placering", "CSI-AST-01")
    # Those behind move up by one, in both groups the offered request stood in line for.
    assert done.moved == {"CSI-EX2-01": {"CSI-AST-01": 1, "CSI-AST-05": 1},
                          "CSI-EX2-07": {"CSI-AST-01": 2, "CSI-AST-05": 2}}
    assert positions(store) == done.moved
    with store.read() as session:
        p = session.get(C.CsiPlacement, offered.placement_id)
        assert (p.group_id, p.start, p.end, p.review_date, p.freed_by_placement_id) == (
            "CSI-AST-01", RELEASE_DAY + timedelta(days=1), date(2026, 12, 31), date(2026, 12, 17), released.placement_id)
        record = session.get(DecisionRecord, offered.decision_id)
        assert record.outcome == "placering" and record.decided_by is None
        assert record.text.startswith("Erbjudande om ledig plats: platsen i gruppen CSI-AST-01 vid Norrbyskolan")
        assert "blev ledig" in record.text and "höstterminen 2026 (HT2026)" in record.text
        assert "följs upp senast 17 december 2026" in record.text and "16 oktober–31 december 2026" in record.text
        assert C.places_taken(session, TERM.start, TERM.end)["CSI-AST-01"] == 6

        def types(ref):
            case = find_case(session, ref)
            return [e.type for e in session.execute(select(EventRecord).where(EventRecord.case_id == case.id)
                                                    .order_by(EventRecord.seq)).scalars()]

        assert types("CSI-F-01")[-1] == "release"
        assert types("CSI-EX2-03")[-3:] == ["evaluated", "proposal", "placement"]
        assert types("CSI-EX2-01")[-2:] == ["release", "release"]  # moved up in two waitlists
        assert verify_events(session) == []


def test_after_a_release_a_new_round_gives_the_positions_the_release_left(two_rounds):
    store, _, _ = two_rounds
    done, _ = release(store, "CSI-F-02")
    status, third = run_round(store)
    assert status == csi_service.CREATED
    assert {rid: r.positions for rid, r in third.results.items()} == done.moved
    assert "CSI-EX2-03" not in third.results  # placed by the release: never ranked again


def test_release_refusals(two_rounds):
    store, first, _ = two_rounds
    with pytest.raises(InputRefused, match="upphör ändå 2026-12-31"):
        C.plan_release(store, first.results["CSI-F-03"].placement_id, date(2026, 12, 31))
    release(store, "CSI-F-03")
    with pytest.raises(StateError, match="avslutades redan 2026-10-15 av Anna Lindqvist"):
        C.plan_release(store, "CSI-F-03", RELEASE_DAY)
    confirm_place(store, "CSI-F-04")
    plan = C.plan_release(store, "CSI-F-04", RELEASE_DAY)
    with pytest.raises(InputRefused, match="--by"):
        C.store_release(store, plan, RELEASE_DAY, "  ", None)
    release(store, "CSI-F-05")  # the waitlist changed since plan was made
    with pytest.raises(ConflictError, match="kön till CSI-AST-01 ändrades"):
        C.store_release(store, plan, RELEASE_DAY, "Anna Lindqvist", None)


def test_release_with_nobody_waiting_frees_the_place(two_rounds):
    store, _, second = two_rounds
    done, _ = release(store, "CSI-EX2-05")
    assert done.offered is None and done.moved == {}
    figures = C.term_figures(store, "HT2026", TERM.start, TERM.end)
    assert figures.taken.get("CSI-TSK-04", 0) == 0 and figures.waiting == {"CSI-AST-01": 3, "CSI-AST-05": 3}
    assert figures.rounds == 2


def test_nobody_is_placed_twice_in_a_term(two_rounds):
    store, first, _ = two_rounds
    with store.read() as session:
        p = session.get(C.CsiPlacement, first.results["CSI-F-01"].placement_id)
        row = {k: v for k, v in p.model_dump().items() if k != "id"}
    with pytest.raises(IntegrityError):
        with store.write() as session:
            session.execute(insert(C.CsiPlacement).values(**row))


def test_the_stored_round_does_not_depend_on_the_order_requests_arrived(tmp_path):
    results = []
    for name, order in (("a", 1), ("b", -1)):
        st = open_store(f"sqlite:///{tmp_path / (name + '.db')}")
        submit(st, [filler(n) for n in range(1, 10)][::order])
        run_round(st)
        submit(st, example2()[::order])
        _, second = run_round(st)
        results.append({rid: (r.outcome, r.group, r.positions, r.rank) for rid, r in second.results.items()})
        st.dispose()
    assert results[0] == results[1]


def test_a_later_term_counts_only_its_own_placements_and_ranks_the_still_waiting(two_rounds):
    store, _, _ = two_rounds
    vt = csi_api.term_of("VT2027")
    status, round_vt = csi_service.run_stored_round(store, vt, date(2026, 12, 1))
    assert status == csi_service.CREATED and round_vt.term == "VT2027" and round_vt.seq == 1
    # HT2026's places end on 31 December: the three still waiting all get a place for VT2027
    # (CSI-EX2-01 in the group its school preferred).
    assert {rid: (r.outcome, r.group) for rid, r in round_vt.results.items()} == {
        "CSI-EX2-03": ("placering", "CSI-AST-01"), "CSI-EX2-01": ("placering", "CSI-AST-05"),
        "CSI-EX2-07": ("placering", "CSI-AST-01")}
    with store.read() as session:
        assert C.places_taken(session, vt.start, vt.end) == {"CSI-AST-01": 2, "CSI-AST-05": 1}


def test_issue8_a_csi_case_cannot_be_overridden_to_a_verksamhetsstod_outcome(two_rounds):
    """The allowed override outcomes come from the case's own area (engine.registry), not VS's."""
    store, _, second = two_rounds
    placed = second.results["CSI-EX2-02"]
    with store.read() as session:
        before = session.execute(select(func.count()).select_from(DecisionRecord)).scalar_one()
    for outcome in ("bifall", "delvis_bifall"):
        with pytest.raises(InputRefused) as refused:
            W.override(store, "CSI-EX2-02", outcome=outcome, reason_code="SARSKILDA_SKAL", reason="x",
                       by="Anna Lindqvist", amount_sek=100000, on=ROUND_DAY)
        assert f"okänt utfall '{outcome}'" in str(refused.value)
        assert "avvisning, avslag, placering, ko" in str(refused.value)
    with store.read() as session:
        assert session.execute(select(func.count()).select_from(DecisionRecord)).scalar_one() == before
        assert session.get(DecisionRecord, placed.decision_id).kind == "proposal"
    decided = W.override(store, "CSI-EX2-02", outcome="avslag", reason_code="FELAKTIGA_UPPGIFTER", reason="x",
                         by="Anna Lindqvist", on=ROUND_DAY)
    assert (decided.outcome, decided.amount_sek) == ("avslag", None)
