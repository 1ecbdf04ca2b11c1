"""The CSI placement round: CSI-R1..R3 edge cases, invariants, determinism, and round intake."""
from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.areas.csi import api as csi_api
from engine.areas.csi.round import Candidate, Group, Term, run_round
from engine.errors import IntakeError
from stod.cli import main

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi"
TERM = Term("HT2026", "höstterminen 2026", date(2026, 8, 1), date(2026, 12, 31), date(2026, 12, 17))


def group(gid, focus="AST", low=1, high=9, capacity=1, taken=0, unit="11111111"):
    return Group(gid, focus, unit, f"Skola {gid}", low, high, capacity, taken)


def cand(aid, need=3, received="2026-03-01", focus="AST", grade=2, preferred=(), unit="99999999"):
    return Candidate(aid, focus, grade, need, date.fromisoformat(received), tuple(preferred), unit)


# -- CSI-R1 ranking ---------------------------------------------------------------------

def test_ranking_need_then_date_then_id():
    groups = [group("G", capacity=2)]
    cands = [cand("C", need=3, received="2026-03-01"), cand("B", need=3, received="2026-02-01"),
             cand("A", need=3, received="2026-03-01"), cand("D", need=5, received="2026-06-01")]
    out = run_round(groups, cands, TERM)
    assert [rid for rid, r in out.results.items()] == ["D", "B", "A", "C"]
    assert out.results["D"].group.id == "G" and out.results["B"].group.id == "G"
    assert out.results["A"].positions == {"G": 1} and out.results["C"].positions == {"G": 2}
    a = out.results["A"]  # behind D (higher need) and B (same need, earlier); C is behind A
    assert (a.ahead, a.ahead_higher_need, a.ahead_earlier_date, a.ahead_same_day) == (2, 1, 1, 0)
    c = out.results["C"]  # A has the same need and day: the id decided
    assert (c.ahead, c.ahead_higher_need, c.ahead_earlier_date, c.ahead_same_day) == (3, 1, 1, 1)
    assert (c.given_higher_need, c.given_earlier_date, c.given_same_day) == (1, 1, 0)
    assert [out.results[x].rank for x in "DBAC"] == [1, 2, 3, 4]


def test_rank_is_counted_within_the_focus():
    groups = [group("A1", capacity=5), group("T1", focus="TSK", capacity=5)]
    out = run_round(groups, [cand("x", need=5, focus="TSK"), cand("y", need=1), cand("z", need=2)], TERM)
    assert (out.results["x"].rank, out.results["z"].rank, out.results["y"].rank) == (1, 1, 2)
    assert out.results["y"].requests_in_focus == 2


# -- CSI-R2 allocation ------------------------------------------------------------------

def test_preferred_group_first_and_mismatching_preference_ignored():
    groups = [group("CSI-AST-01", high=3), group("CSI-AST-05"), group("CSI-TSK-04", focus="TSK")]
    out = run_round(groups, [cand("a", preferred=["CSI-TSK-04", "CSI-AST-05", "CSI-AST-01"])], TERM)
    assert out.results["a"].group.id == "CSI-AST-05" and out.results["a"].preferred_placed


def test_other_groups_in_order_of_id_as_text():
    groups = [group("CSI-AST-2"), group("CSI-AST-10")]  # "CSI-AST-10" < "CSI-AST-2" as text
    out = run_round(groups, [cand("a")], TERM)
    assert out.results["a"].group.id == "CSI-AST-10" and not out.results["a"].preferred_placed


def test_free_places_never_below_zero():
    groups = [group("G", capacity=2, taken=5), group("H", capacity=1, taken=0)]
    out = run_round(groups, [cand("a"), cand("b", received="2026-03-02")], TERM)
    assert out.results["a"].group.id == "H"
    assert out.results["b"].positions == {"G": 1, "H": 1}
    assert out.results["b"].free_at_start == 1


def test_grade_and_focus_must_match():
    groups = [group("G", low=4, high=6, capacity=3)]
    out = run_round(groups, [cand("young", grade=3), cand("tsk", focus="TSK", grade=5), cand("ok", grade=4)], TERM)
    assert out.results["ok"].group.id == "G"
    assert out.results["young"].matching == () and out.results["young"].positions == {}


def test_other_school_is_judged_on_the_school_unit():
    groups = [group("G", capacity=2, unit="12345678")]
    out = run_round(groups, [cand("own", unit="12345678"), cand("other", unit="87654321")], TERM)
    assert not out.results["own"].other_school and out.results["other"].other_school


# -- CSI-R3 waitlists -------------------------------------------------------------------

def test_each_waitlist_numbered_separately_among_those_matching_it():
    groups = [group("LOW", high=3, capacity=0), group("ALL", capacity=0)]
    cands = [cand("older", grade=8, need=4), cand("small", grade=2, need=3), cand("small2", grade=1, need=1)]
    out = run_round(groups, cands, TERM)
    assert out.results["older"].positions == {"ALL": 1}
    assert out.results["small"].positions == {"ALL": 2, "LOW": 1}
    assert out.results["small2"].positions == {"ALL": 3, "LOW": 2}
    assert out.waitlist("ALL") == ["older", "small", "small2"]


# -- invariants and determinism over generated rounds -------------------------------------

FOCI = ("AST", "TSK")

groups_st = st.lists(st.builds(
    lambda i, focus, low, span, cap, taken: Group(f"G{i:02d}", focus, f"{10000000 + i}", f"S{i}", low,
                                                  min(9, low + span), cap, taken),
    st.integers(0, 40), st.sampled_from(FOCI), st.integers(1, 9), st.integers(0, 8), st.integers(0, 4),
    st.integers(0, 5)), min_size=1, max_size=6, unique_by=lambda g: g.id)

cands_st = st.lists(st.builds(
    lambda i, focus, grade, need, day, prefs, unit: Candidate(
        f"R{i:03d}", focus, grade, need, date(2026, 2, 1) + timedelta(days=day), tuple(prefs), unit),
    st.integers(0, 300), st.sampled_from(FOCI), st.integers(1, 9), st.integers(1, 5), st.integers(0, 5),
    st.lists(st.sampled_from([f"G{i:02d}" for i in range(0, 41, 5)]), max_size=3),
    st.sampled_from(["10000000", "10000005", "99999999"])), max_size=40, unique_by=lambda c: c.application_id)


def _summary(out):
    return {rid: (r.group.id if r.group else None, dict(r.positions), r.rank, r.ahead, r.other_school)
            for rid, r in out.results.items()}


@settings(max_examples=150, deadline=None)
@given(groups_st, cands_st, st.randoms(use_true_random=False))
def test_round_is_deterministic_and_fair(groups, cands, rnd):
    out = run_round(groups, cands, TERM)
    shuffled_c, shuffled_g = list(cands), list(groups)
    rnd.shuffle(shuffled_c)
    rnd.shuffle(shuffled_g)
    assert _summary(run_round(shuffled_g, shuffled_c, TERM)) == _summary(out)

    by_id = {g.id: g for g in groups}
    order = [c.application_id for c in sorted(cands, key=lambda c: c.rank_key)]
    pos = {rid: i for i, rid in enumerate(order)}
    for g in groups:  # never more placed than the free places
        assert out.taken_after[g.id] - g.taken <= g.free
    for rid, r in out.results.items():
        if r.placed:
            assert r.group.id in r.matching and not r.positions
            continue
        assert set(r.positions) == set(r.matching)
        for gid in r.matching:  # every matching group was full, and went to requests ranked ahead
            assert out.taken_after[gid] - by_id[gid].taken == by_id[gid].free
            placed_there = [x for x, y in out.results.items() if y.group is not None and y.group.id == gid]
            assert all(pos[x] < pos[rid] for x in placed_there)
    for g in groups:  # each waitlist numbered 1..n in ranking order
        queue = out.waitlist(g.id)
        assert [out.results[x].positions[g.id] for x in queue] == list(range(1, len(queue) + 1))
        assert queue == sorted(queue, key=pos.get)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_contract_round_in_any_order_gives_the_same_decisions(seed):
    data = json.loads((CONTRACT / "round-example.json").read_text(encoding="utf-8"))
    first = csi_api.check_round(csi_api.read_round(copy.deepcopy(data), "a"), date(2026, 7, 31)).to_dict()
    random.Random(seed).shuffle(data["requests"])
    random.Random(seed).shuffle(data["groups"])
    again = csi_api.check_round(csi_api.read_round(data, "b"), date(2026, 7, 31)).to_dict()
    assert json.dumps(again, sort_keys=True, ensure_ascii=False) == json.dumps(first, sort_keys=True, ensure_ascii=False)
    assert list(again["results"]) == sorted(again["results"])


# -- the function for stored rounds -------------------------------------------------------

def test_decide_round_with_a_catalogue_and_validated_requests():
    data = csi_api.read_round((CONTRACT / "round-example-2.json").read_bytes(), "x")
    taken = {"CSI-AST-01": 6, "CSI-AST-05": 3, "CSI-TSK-04": 4}
    groups = [g for g in csi_api.catalogue_for("HT2026", taken) if g.id in taken]
    decided = csi_api.decide_round("HT2026", groups, data.requests, date(2026, 7, 31))
    assert decided.results["CSI-EX2-04"]["group"] == "CSI-AST-05"  # the only AST place left
    assert decided.results["CSI-EX2-02"]["positions"] == {"CSI-AST-01": 1, "CSI-AST-05": 1}
    assert decided.decisions["CSI-EX2-04"].outcome == "placering"
    r = decided.results["CSI-EX2-04"]
    assert r["placement"] == {"start": "2026-08-01", "end": "2026-12-31", "review_date": "2026-12-17"}
    assert "17 december 2026" in r["text"] and "Vinsta skola" in r["text"]


def test_vt_term_dates_come_from_the_parameters():
    term = csi_api.term_of("VT2027")
    assert (term.start, term.end, term.review, term.name) == (
        date(2027, 1, 1), date(2027, 6, 30), date(2027, 6, 16), "vårterminen 2027")


# -- round intake: refused whole, naming the request and the field --------------------------

def _round():
    return json.loads((CONTRACT / "round-example-2.json").read_text(encoding="utf-8"))


def test_duplicate_application_id_refuses_the_round():
    data = _round()
    data["requests"][3]["application_id"] = data["requests"][1]["application_id"]
    with pytest.raises(IntakeError) as error:
        csi_api.read_round(data, "r.json")
    assert error.value.field == "requests[3] (CSI-EX2-02).application_id"
    assert "requests[1]" in error.value.problem


def test_invalid_request_refuses_the_round():
    data = _round()
    data["requests"][2]["documents"]["utredning"]["date"] = "2026-13-01"
    with pytest.raises(IntakeError) as error:
        csi_api.read_round(data, "r.json")
    assert error.value.field == "requests[2] (CSI-EX2-03).documents.utredning.date"


def test_need_level_out_of_range_is_refused():
    data = _round()
    data["requests"][0]["assessed_need_level"] = 6
    with pytest.raises(IntakeError) as error:
        csi_api.read_round(data, "r.json")
    assert error.value.field == "requests[0] (CSI-EX2-01).assessed_need_level"


@pytest.mark.parametrize("change,field", [
    (lambda d: d.update(term="HT26"), "term"),
    (lambda d: d["groups"][0].update(grades=[6, 1]), "groups[0].grades"),
    (lambda d: d["groups"][1].update(id=d["groups"][0]["id"]), "groups[1].id"),
    (lambda d: d["groups"][0].update(taken=-1), "groups[0].taken"),
    (lambda d: d.update(requests=[]), "requests"),
    (lambda d: d.update(term="VT2025"), "term"),
])
def test_bad_round_fields(change, field):
    data = _round()
    change(data)
    with pytest.raises(IntakeError) as error:
        csi_api.read_round(data, "r.json")
    assert error.value.field == field, str(error.value)


def test_cli_exit_codes(tmp_path):
    data = _round()
    data["requests"][4]["pupil"]["ref"] = "19800101-1234"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["csi", "check", str(bad), "--json"])
    assert result.exit_code == 2
    assert "requests[4] (CSI-EX2-05).pupil.ref" in result.output and "19800101-1234" not in result.output
    good = CliRunner().invoke(main, ["csi", "check", str(CONTRACT / "round-example-2.json")])
    assert good.exit_code == 0 and "CSI-EX2-05" in good.output


def test_round_without_groups_uses_the_catalogue_in_rules(tmp_path):
    data = _round()
    del data["groups"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["csi", "check", str(path), "--json", "--date", "2026-07-31"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output[result.output.index("{"):])
    assert all(r["outcome"] == "placering" for r in printed["results"].values())  # 16 empty groups
