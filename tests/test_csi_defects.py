"""CSI defects found by a tester, on stores built from round-example.json (submitted 2026-07-26).

After ``stod csi submit round-example.json --date 2026-07-26`` and the HT2026 round on the same
day, the placements are 1 CSI-H-00-001 (case 2, CSI-TSK-01), 2 CSI-H-00-007 (case 8,
CSI-HORSEL-02), 3 CSI-H-00-008 (case 9, AST grade 9, CSI-AST-05), … — all from 2026-08-01.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cases import csi as C
from cases.store import open_store
from test_cli_cases import cli, write  # noqa: F401  (the CLI runner fixture)

ROUND_EXAMPLE = str(Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi" / "round-example.json")
BY = ("--by", "Anna L")
OVERRIDE = ("--reason-code", "SARSKILDA_SKAL", "--reason", "Gruppen passar eleven bättre.", *BY)


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def submitted(cli):
    ok(cli("csi", "submit", ROUND_EXAMPLE, "--date", "2026-07-26"))
    return cli


def rounded(cli):
    submitted(cli)
    ok(cli("csi", "round", "--term", "HT2026", "--date", "2026-07-26"))
    return cli


def taken(cli, term="HT2026") -> dict[str, int]:
    groups = json.loads(ok(cli("csi", "groups", "--term", term, "--json")).stdout)["groups"]
    return {g["id"]: g["taken"] for g in groups}


def view(cli, case):
    return json.loads(ok(cli("show", str(case), "--json")).stdout)


def loaded_from(cli, placed_on="2026-08-01"):
    body = {"kind": "csi_placements", "placements": [
        {"pupil_ref": "EL-800001", "group": "CSI-AST-01", "term": "HT2026", "placed_on": placed_on}]}
    return write(cli.tmp, "placerade.json", body)


# -- 1. an early end before the placement began, or before it was decided ---------------------


def test_release_before_the_placement_begins_is_refused_naming_both_dates(cli):
    rounded(cli)
    ok(cli("decide", "8", "--confirm", *BY, "--date", "2026-07-27"))  # placement 2, from 2026-08-01
    before = taken(cli)
    early = cli("csi", "release", "2", "--date", "2026-07-01", *BY)
    assert early.exit_code == 2, early.output
    assert "--date" in early.output and "2026-07-01" in early.output and "2026-08-01" in early.output
    assert "Traceback" not in early.output
    assert taken(cli) == before  # nothing stored: the place is still taken
    ok(cli("csi", "release", "2", "--date", "2026-08-01", *BY))  # its first day is an end it can have


def test_release_before_the_placement_was_decided_is_refused_naming_both_dates(cli):
    rounded(cli)
    ok(cli("decide", "8", "--confirm", *BY, "--date", "2026-09-10"))  # confirmed after the term began
    early = cli("csi", "release", "2", "--date", "2026-08-20", *BY)
    assert early.exit_code == 2, early.output
    assert "--date" in early.output and "2026-08-20" in early.output and "2026-09-10" in early.output
    ok(cli("csi", "release", "2", "--date", "2026-09-10", *BY))


def test_release_of_a_loaded_placement_before_its_placed_on_is_refused(cli):
    loaded = ok(cli("csi", "load-placements", loaded_from(cli, "2026-08-01"), *BY))
    assert "inläst" in loaded.output
    early = cli("csi", "release", "L1", "--date", "2026-07-01", *BY)
    assert early.exit_code == 2, early.output
    assert "--date" in early.output and "2026-07-01" in early.output and "2026-08-01" in early.output
    assert taken(cli)["CSI-AST-01"] == 1
    ok(cli("csi", "release", "L1", "--date", "2026-10-01", *BY))
    assert taken(cli)["CSI-AST-01"] == 0


# -- 2. till_placeringsomgang is no decision ----------------------------------------------------


def test_a_request_waiting_for_the_round_cannot_be_confirmed_as_a_decision(cli):
    submitted(cli)
    assert view(cli, 2)["current"]["outcome"] == "till_placeringsomgang"
    refused = cli("decide", "2", "--confirm", *BY, "--date", "2026-07-26")
    assert refused.exit_code == 1, refused.output
    assert "placeringsomgång" in refused.output and "stod csi round" in refused.output
    assert "beslutat" not in refused.output
    case = view(cli, 2)
    assert case["case"]["status"] == "forslag" and len(case["decisions"]) == 1
    # The round still ranks it, and its placement can then be confirmed.
    ok(cli("csi", "round", "--term", "HT2026", "--date", "2026-07-26"))
    assert "placering" in ok(cli("decide", "2", "--confirm", *BY, "--date", "2026-07-27")).output


def test_a_request_waiting_for_the_round_can_still_be_refused_by_override(cli):
    submitted(cli)
    ok(cli("decide", "2", "--override", "avslag", "--reason-code", "REGELTOLKNING", "--reason",
           "Lägre nivå räcker.", *BY, "--date", "2026-07-26"))


# -- 3. an override to another group or term; the term checked ---------------------------------


def test_a_placering_proposal_can_be_moved_to_another_group_by_override(cli):
    rounded(cli)
    assert view(cli, 9)["current"]["outcome"] == "placering"
    before = taken(cli)
    moved = cli("decide", "9", "--override", "placering", "--group", "CSI-AST-04", "--term", "HT2026", *OVERRIDE,
                "--date", "2026-07-27")
    assert moved.exit_code == 0, moved.output
    after = taken(cli)
    assert after["CSI-AST-05"] == before["CSI-AST-05"] - 1  # the proposal's place is given up
    assert after["CSI-AST-04"] == before["CSI-AST-04"] + 1
    case = view(cli, 9)
    assert case["case"]["status"] == "beslutad" and "gruppen CSI-AST-04" in case["current"]["text"]
    ok(cli("csi", "release", "CSI-H-00-008", "--date", "2026-10-01", *BY))  # one place, decided: releasable
    assert taken(cli)["CSI-AST-04"] == before["CSI-AST-04"]


def test_a_placering_proposal_can_be_moved_to_the_next_term_by_override(cli):
    rounded(cli)
    before = taken(cli)
    ok(cli("decide", "9", "--override", "placering", "--group", "CSI-AST-05", "--term", "VT2027", *OVERRIDE,
           "--date", "2026-07-27"))
    assert taken(cli)["CSI-AST-05"] == before["CSI-AST-05"] - 1
    assert taken(cli, "VT2027")["CSI-AST-05"] == 1


def test_an_override_of_a_placering_proposal_to_a_term_long_gone_or_far_ahead_is_refused(cli):
    rounded(cli)
    for term, why in (("VT2026", "redan slut"), ("HT2099", "för långt fram")):
        refused = cli("decide", "9", "--override", "placering", "--group", "CSI-AST-04", "--term", term, *OVERRIDE,
                      "--date", "2026-07-27")
        assert refused.exit_code == 2 and "--term" in refused.output and why in refused.output, refused.output
    assert len(view(cli, 9)["decisions"]) == 2  # the proposals only


def test_an_override_to_the_proposals_own_group_and_term_is_refused_as_a_confirmation(cli):
    rounded(cli)
    same = cli("decide", "9", "--override", "placering", "--group", "CSI-AST-05", "--term", "HT2026", *OVERRIDE,
               "--date", "2026-07-27")
    assert same.exit_code == 2 and "detsamma som förslaget" in same.output and "--confirm" in same.output


def test_an_override_to_placering_in_a_term_that_has_ended_or_lies_far_ahead_is_refused(cli):
    submitted(cli)  # case 9 waits for the round: an override to placering is no same-as-proposal
    for term, why in (("VT2026", "redan slut"), ("HT2099", "för långt fram")):
        refused = cli("decide", "9", "--override", "placering", "--group", "CSI-AST-04", "--term", term, *OVERRIDE,
                      "--date", "2026-07-27")
        assert refused.exit_code == 2, refused.output
        assert "--term" in refused.output and term in refused.output and why in refused.output
        assert "HT2026" in refused.output and "VT2027" in refused.output  # the terms to choose
    case = view(cli, 9)
    assert case["case"]["status"] == "forslag" and len(case["decisions"]) == 1
    assert taken(cli)["CSI-AST-04"] == 0
    ok(cli("decide", "9", "--override", "placering", "--group", "CSI-AST-04", "--term", "VT2027", *OVERRIDE,
           "--date", "2026-07-27"))
    assert taken(cli, "VT2027")["CSI-AST-04"] == 1


def test_overriding_a_placering_proposal_to_avslag_gives_its_place_up(cli):
    rounded(cli)
    before = taken(cli)
    ok(cli("decide", "9", "--override", "avslag", "--reason-code", "REGELTOLKNING", "--reason", "Lägre nivå räcker.",
           *BY, "--date", "2026-07-27"))
    assert taken(cli)["CSI-AST-05"] == before["CSI-AST-05"] - 1
    refused = cli("csi", "release", "CSI-H-00-008", "--date", "2026-10-01", *BY)
    assert refused.exit_code == 1 and "har ändrat" in refused.output  # a proposal overridden holds no place
    store = open_store(str(cli.tmp / "cases.db"))
    assert "CSI-H-00-008" not in {p.application_id for p in C.placements(store, "HT2026")}  # the web's list


# -- 4. counts agree in number ------------------------------------------------------------------


def test_load_placements_says_one_placement_in_the_singular(cli):
    one = ok(cli("csi", "load-placements", loaded_from(cli), *BY))
    assert "1 placering inläst, 0 fanns redan" in one.output and "placeringar inlästa" not in one.output
    two = {"kind": "csi_placements", "placements": [
        {"pupil_ref": f"EL-80000{i}", "group": "CSI-AST-01", "term": "HT2026", "placed_on": "2026-08-01"}
        for i in (2, 3)]}
    assert "2 placeringar inlästa" in ok(cli("csi", "load-placements", write(cli.tmp, "two.json", two), *BY)).output


def test_a_round_of_one_request_says_one_request_in_the_singular(cli):
    body = json.loads(Path(ROUND_EXAMPLE).read_text(encoding="utf-8"))
    one = [r for r in body["requests"] if r["application_id"] == "CSI-H-00-008"]
    ok(cli("csi", "submit", write(cli.tmp, "one.json", {**body, "requests": one}), "--date", "2026-07-26"))
    done = ok(cli("csi", "round", "--term", "HT2026", "--date", "2026-07-26"))
    assert "1 ansökan prövad: 1 placering" in done.output and "1 ansökningar" not in done.output
