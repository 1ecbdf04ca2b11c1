"""Issue 9 item 6: CSI placements as the policy's CSI-R4 and its paragraph on placements say."""
from __future__ import annotations

import json
from pathlib import Path
from datetime import date

import pytest

from cases import csi as C
from cases import workflow as W
from cases.errors import StateError
from test_cli_cases import cli, write  # noqa: F401  (the CLI runner fixture)
from test_csi_store import ROUND_DAY, TERM, confirm_place, example2, filler, run_round, submit
from test_store import db_url, store  # noqa: F401  (fixtures: SQLite, and PostgreSQL with STOD_TEST_PG_URL)
from stod.services import csi as services


@pytest.fixture
def rounds(store):
    submit(store, [filler(n) for n in range(1, 10)])
    run_round(store)
    submit(store, example2())
    run_round(store)
    return store


def test_a_placement_nobody_confirmed_cannot_be_released(rounds):
    with pytest.raises(StateError, match="bara en fastställd placering kan avslutas"):
        C.plan_release(rounds, "CSI-F-01", date(2026, 10, 15))
    confirm_place(rounds, "CSI-F-01")
    assert C.plan_release(rounds, "CSI-F-01", date(2026, 10, 15)).placement.application_id == "CSI-F-01"


def test_the_offer_after_a_release_is_what_show_shows_even_after_a_confirmed_ko(rounds):
    W.confirm(rounds, "CSI-EX2-03", by="Bo Berg", on=ROUND_DAY)  # the ko decision is confirmed
    confirm_place(rounds, "CSI-F-01")
    done = services.release(rounds, "CSI-F-01", by="Anna Lindqvist", on=date(2026, 10, 15))
    assert done.done.offered.application_id == "CSI-EX2-03"
    view = W.case_view(rounds, "CSI-EX2-03")
    assert view["current"]["outcome"] == "placering" and view["current"]["kind"] == "proposal"
    assert view["current"]["text"].startswith("Erbjudande om ledig plats")
    assert view["case"]["status"] == "forslag"
    assert W.confirm(rounds, "CSI-EX2-03", by="Bo Berg", on=date(2026, 10, 16)).outcome == "placering"


def test_a_place_freed_after_the_review_date_is_offered_for_the_next_term(rounds):
    confirm_place(rounds, "CSI-F-01")
    done = services.release(rounds, "CSI-F-01", by="Anna Lindqvist", on=date(2026, 12, 20))  # review 2026-12-17
    offered = done.done.offered
    assert offered.application_id == "CSI-EX2-03"
    with rounds.read() as session:
        p = session.get(C.CsiPlacement, offered.placement_id)
        assert (p.term, p.start, p.end, p.review_date) == ("VT2027", date(2027, 1, 1), date(2027, 6, 30),
                                                           date(2027, 6, 16))
    text = W.case_view(rounds, "CSI-EX2-03")["current"]["text"]
    assert "efter terminens uppföljningsdatum (2026-12-17)" in text and "VT2027" in text
    assert "följs upp senast 2027-06-16" in text


def test_a_place_freed_before_the_review_date_stays_in_its_term(rounds):
    confirm_place(rounds, "CSI-F-01")
    done = services.release(rounds, "CSI-F-01", by="Anna Lindqvist", on=date(2026, 12, 17))
    with rounds.read() as session:
        assert session.get(C.CsiPlacement, done.done.offered.placement_id).term == "HT2026"


def _placements(*rows):
    return {"kind": "csi_placements", "placements": [
        {"pupil_ref": f"EL-7000{i:02d}", "group": g, "term": "HT2026", "placed_on": "2026-08-01"}
        for i, g in enumerate(rows)]}


def test_a_first_round_counts_pupils_loaded_as_already_placed(store):
    loaded = services.load_placements(store, _placements(*["CSI-AST-01"] * 6, *["CSI-AST-05"] * 3), by="Anna")
    assert (loaded.loaded, loaded.already) == (9, 0)
    assert services.load_placements(store, _placements(*["CSI-AST-01"] * 6, *["CSI-AST-05"] * 3),
                                    by="Anna").already == 9
    submit(store, example2())
    status, first = run_round(store)
    # The same places as behind the nine placed fillers: one free AST place for grades 1-3.
    got = {rid: (r.outcome, r.group) for rid, r in first.results.items() if rid in ("CSI-EX2-02", "CSI-EX2-03")}
    assert got == {"CSI-EX2-02": ("placering", "CSI-AST-05"), "CSI-EX2-03": ("ko", None)}
    figures = C.term_figures(store, "HT2026", TERM.start, TERM.end)
    assert figures.taken["CSI-AST-01"] == 6 and figures.taken["CSI-AST-05"] == 4


def test_loading_placements_refuses_a_bad_file_whole(cli):
    over = write(cli.tmp, "over.json", _placements(*["CSI-AST-05"] * 5))  # capacity 4
    refused = cli("csi", "load-placements", over, "--by", "Anna")
    assert refused.exit_code == 2 and "CSI-AST-05" in refused.output and "4 platser" in refused.output
    bad = _placements("CSI-NOPE-01")
    refused = cli("csi", "load-placements", write(cli.tmp, "bad.json", bad), "--by", "Anna")
    assert refused.exit_code == 2 and "placements[0].group" in refused.output
    pnr = _placements("CSI-AST-01")
    pnr["placements"][0]["pupil_ref"] = "201001011234"
    refused = cli("csi", "load-placements", write(cli.tmp, "pnr.json", pnr), "--by", "Anna")
    assert refused.exit_code == 2 and "personnummer" in refused.output and "201001011234" not in refused.output
    ok = cli("csi", "load-placements", write(cli.tmp, "ok.json", _placements("CSI-AST-01")), "--by", "Anna", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["loaded"] == 1
    groups = json.loads(cli("csi", "groups", "--term", "HT2026", "--json").stdout)["groups"]
    assert next(g for g in groups if g["id"] == "CSI-AST-01")["taken"] == 1


def test_csi_override_keeps_to_csi_outcomes(cli):
    cli("csi", "submit", write(cli.tmp, "r.json", example2()[0]), "--date", "2026-05-04")
    for outcome in ("bifall", "delvis_bifall"):
        refused = cli("decide", "1", "--override", outcome, "--reason-code", "RATTELSE", "--reason", "x", "--by", "A")
        assert refused.exit_code == 2 and f"{outcome!r}" in refused.output
    ok = cli("decide", "1", "--override", "avslag", "--reason-code", "REGELTOLKNING", "--reason", "Lägre nivå "
             "räcker.", "--by", "Anna", "--date", "2026-05-05")
    assert ok.exit_code == 0, ok.output


def test_a_round_does_not_judge_requests_received_after_its_date(store):
    late = [dict(r, received="2026-06-10") for r in example2()[:2]]
    submit(store, example2()[2:], day=date(2026, 5, 4))
    submit(store, late, day=date(2026, 6, 10))
    status, first = services.run_stored_round(store, TERM, date(2026, 6, 1))
    assert status == services.CREATED and not {r["application_id"] for r in late} & set(first.results)
    status, second = services.run_stored_round(store, TERM, date(2026, 6, 12))
    assert {r["application_id"] for r in late} <= set(second.results)


def test_csi_check_before_a_requests_receipt_is_refused_naming_both_dates():
    path = str(Path(__file__).resolve().parents[2] / "shared" / "contract" / "csi" / "round-example.json")
    from click.testing import CliRunner  # csi check takes no --db: not through the cli fixture

    from stod.cli import main

    early = CliRunner().invoke(main, ["csi", "check", path, "--date", "2026-06-01"])
    assert early.exit_code == 2 and "2026-06-01" in early.output and "mottagandedatum" in early.output
    late = CliRunner().invoke(main, ["csi", "check", path, "--json"])
    assert late.exit_code == 0, late.output


def test_csi_override_to_placering_names_a_group_of_the_focus_and_grade_with_a_free_place(cli):
    request = example2()[0]  # AST, grade 2
    cli("csi", "submit", write(cli.tmp, "r.json", request), "--date", "2026-05-04")
    base = ["decide", "1", "--override", "placering", "--reason-code", "SARSKILDA_SKAL", "--reason", "Akut behov.",
            "--by", "Anna", "--date", "2026-05-05"]
    assert "--group" in cli(*base, "--term", "HT2026").output
    wrong_focus = cli(*base, "--term", "HT2026", "--group", "CSI-TSK-02")
    assert wrong_focus.exit_code == 2 and "inriktning TSK" in wrong_focus.output
    amount = cli(*base, "--term", "HT2026", "--group", "CSI-AST-01", "--amount", "1000")
    assert amount.exit_code == 2 and "--amount" in amount.output
    assert len(json.loads(cli("show", "1", "--json").stdout)["decisions"]) == 1
    ok = cli(*base, "--term", "HT2026", "--group", "CSI-AST-01")
    assert ok.exit_code == 0, ok.output
    view = json.loads(cli("show", "1", "--json").stdout)
    assert view["current"]["outcome"] == "placering" and "gruppen CSI-AST-01" in view["current"]["text"]
    groups = json.loads(cli("csi", "groups", "--term", "HT2026", "--json").stdout)["groups"]
    assert next(g for g in groups if g["id"] == "CSI-AST-01")["taken"] == 1
    released = cli("csi", "release", request["application_id"], "--date", "2026-10-01", "--by", "Anna")
    assert released.exit_code == 0, released.output  # a place a caseworker gave is a confirmed placement


def test_a_full_group_cannot_be_given_by_override(cli):
    loaded = {"kind": "csi_placements", "placements": [
        {"pupil_ref": f"EL-6000{i:02d}", "group": "CSI-AST-01", "term": "HT2026", "placed_on": "2026-08-01"}
        for i in range(6)]}
    assert cli("csi", "load-placements", write(cli.tmp, "l.json", loaded), "--by", "Anna").exit_code == 0
    cli("csi", "submit", write(cli.tmp, "r.json", example2()[0]), "--date", "2026-05-04")
    full = cli("decide", "1", "--override", "placering", "--group", "CSI-AST-01", "--term", "HT2026",
               "--reason-code", "SARSKILDA_SKAL", "--reason", "x", "--by", "Anna", "--date", "2026-05-05")
    assert full.exit_code == 2 and "ingen ledig plats" in full.output


def test_csi_override_to_komplettering_lists_items(cli):
    cli("csi", "submit", write(cli.tmp, "r.json", example2()[0]), "--date", "2026-05-04")
    ok = cli("decide", "1", "--override", "komplettering", "--item", "Nytt specialistutlåtande",
             "--reason-code", "UNDERLAG_KOMPLETTERAT", "--reason", "Utlåtandet är oläsligt.", "--by", "Anna",
             "--date", "2026-05-05")
    assert ok.exit_code == 0, ok.output
    view = json.loads(cli("show", "1", "--json").stdout)
    assert view["case"]["status"] == "komplettering_begard" and view["current"]["requests"] == ["Nytt specialistutlåtande"]


def test_a_pupil_loaded_as_placed_can_be_released_and_the_place_is_offered(store):
    services.load_placements(store, _placements(*["CSI-AST-01"] * 6, *["CSI-AST-05"] * 3), by="Anna")
    submit(store, example2())
    run_round(store)
    done = services.release(store, "L1", by="Anna Lindqvist", on=date(2026, 10, 15))  # EL-700000 in CSI-AST-01
    assert done.done.placement.loaded and done.done.placement.label == "L1"
    assert done.done.offered.application_id == "CSI-EX2-03"
    figures = C.term_figures(store, "HT2026", TERM.start, TERM.end)
    assert figures.taken["CSI-AST-01"] == 6  # the loaded pupil's place went to the first in line
    with pytest.raises(StateError, match="avslutades redan"):
        C.plan_release(store, "EL-700000", date(2026, 10, 16))
