"""Issue 9: the workflow after the first proposal, as the policy's "After the first proposal" says.

Each test replays one bullet of the issue's "Why" as written and checks the policy's answer;
the test names say the behaviour.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine import api
from test_cli_cases import cli, write  # noqa: F401  (the CLI runner fixture)
from test_store import application, db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)

RECEIVED = "2026-03-02"


def spring_application(**changes) -> dict:
    """Received 2026-03-02 for 2026-03..2026-12, level 2, no netting; the utredning is missing."""
    base = {"application_id": "VS-KOMPL", "received": RECEIVED,
            "period": {"start_month": "2026-03", "end_month": "2026-12"},
            "need__extraordinary_hours_per_week": 10, "need__share_in_special_group": 0.0,
            "documents__atgardsprogram": {"date": "2025-03-02", "signed_by_rektor": True},  # exactly 12 months
            "documents__utredning": None, "documents__extra_anpassningar_utvardering": {"date": "2026-02-10"},
            "requested_amount_sek": 500000}
    base.update(changes)
    return application(**{k: v for k, v in base.items() if "__" in k},
                       **{k: v for k, v in base.items() if "__" not in k})


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def show(cli, case="1"):
    return as_json(cli("show", case, "--json"))


def _proposal(view):
    return [d for d in view["decisions"] if d["kind"] == "proposal"][-1]


# -- bullet 1: overrides --------------------------------------------------------------------


def test_override_grant_above_the_requested_amount_is_refused_and_nothing_stored(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    refused = cli("decide", "1", "--override", "bifall", "--reason-code", "RATTELSE", "--reason", "fel",
                  "--level", "4", "--period", "2026-12..2027-06", "--amount", "5000000", "--by", "Anna")
    assert refused.exit_code == 2 and "--amount" in refused.output and "300000" in refused.output
    assert show(cli)["case"]["status"] == "forslag" and len(show(cli)["decisions"]) == 1
    stats = as_json(cli("stats", "--json", "--date", "2027-01-10"))
    assert stats["total"]["granted_sek"] == 0


@pytest.mark.usefixtures("decided_late")
def test_override_to_a_grant_needs_level_period_and_amount(cli):
    cli("submit", write(cli.tmp, "a.json", application(need__extraordinary_hours_per_week=3)), "--date", "2026-12-20")
    assert _proposal(show(cli))["outcome"] == "avslag"
    base = ["decide", "1", "--override", "delvis_bifall", "--reason-code", "SARSKILDA_SKAL", "--reason", "behov",
            "--by", "Anna", "--date", "2026-12-21"]
    no_level = cli(*base, "--period", "2026-12..2027-06", "--amount", "100000")
    assert no_level.exit_code == 2 and "--level" in no_level.output
    no_period = cli(*base, "--level", "1", "--amount", "100000")
    assert no_period.exit_code == 2 and "--period" in no_period.output
    before_receipt = cli(*base, "--level", "1", "--period", "2026-10..2027-06", "--amount", "100000")
    assert before_receipt.exit_code == 2 and "mottagandemånaden 2026-12" in before_receipt.output
    outside = cli(*base, "--level", "1", "--period", "2026-12..2027-09", "--amount", "100000")
    assert outside.exit_code == 2 and "inom den sökta perioden" in outside.output
    not_in_full = cli(*base[:3], "bifall", *base[4:], "--level", "1", "--period", "2026-12..2027-06",
                      "--amount", "100000")
    assert not_in_full.exit_code == 2 and "delvis_bifall" in not_in_full.output
    assert len(show(cli)["decisions"]) == 1  # nothing stored by any refusal
    ok = cli(*base, "--level", "1", "--period", "2026-12..2027-06", "--amount", "40000")
    assert ok.exit_code == 0, ok.output
    final = show(cli)["current"]
    assert (final["outcome"], final["level"], final["granted_start"], final["granted_end"], final["amount_sek"]) == \
        ("delvis_bifall", 1, "2026-12", "2027-06", 40000)
    assert final["computed_sek"] == 7000 + 6 * 7200  # December at the 2026 rate, January-June at 2027's


@pytest.mark.usefixtures("decided_late")
def test_overridden_decision_text_starts_with_the_caseworkers_decision(cli):
    cli("submit", write(cli.tmp, "a.json", application(need__extraordinary_hours_per_week=3)), "--date", "2026-12-20")
    cli("decide", "1", "--override", "delvis_bifall", "--reason-code", "SARSKILDA_SKAL", "--reason", "Behovet ökar.",
        "--level", "1", "--period", "2026-12..2027-06", "--amount", "40000", "--by", "Anna", "--date", "2026-12-21")
    text = show(cli)["current"]["text"]
    lines = text.splitlines()
    assert lines[0].startswith("Beslut fattat 2026-12-21 av Anna") and "Delvis bifall" in lines[0]
    assert "40 000 kr" in lines[1] and "nivå 1" in lines[1] and "2026-12–2027-06" in lines[1]
    assert "Särskilda skäl" in text and "(SARSKILDA_SKAL). Behovet ökar." in text
    assert "Motorns förslag (avslag) följdes inte" in text
    assert "Beslut: Avslag." not in lines  # the proposal's own verdict is shown only inside the labelled proposal
    assert text.index("Motorns förslag") < text.index("Avslag")


@pytest.mark.usefixtures("decided_late")
def test_override_to_komplettering_lists_items_and_counts_the_deadline(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    no_items = cli("decide", "1", "--override", "komplettering", "--reason-code", "UNDERLAG_KOMPLETTERAT",
                   "--reason", "x", "--by", "Anna")
    assert no_items.exit_code == 2 and "--item" in no_items.output
    ok = cli("decide", "1", "--override", "komplettering", "--item", "Utredning om elevens behov",
             "--item", "Nytt åtgärdsprogram", "--reason-code", "UNDERLAG_KOMPLETTERAT",
             "--reason", "Underlaget räcker inte.", "--by", "Anna", "--date", "2026-12-21")
    assert ok.exit_code == 0, ok.output
    view = show(cli)
    assert view["case"]["status"] == "komplettering_begard"
    assert view["current"]["completion_deadline"] == "2027-01-04"  # 14 days, as for VS-K
    assert view["current"]["requests"] == ["Utredning om elevens behov", "Nytt åtgärdsprogram"]
    assert "Skicka in följande senast 2027-01-04" in view["current"]["text"]
    row = as_json(cli("queue", "--json", "--date", "2027-01-10"))[0]
    assert row["completion_overdue"] and row["completion_deadline"] == "2027-01-04"


def test_options_of_another_outcome_are_refused(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    stray = cli("decide", "1", "--override", "avslag", "--amount", "1000", "--reason-code", "RATTELSE",
                "--reason", "x", "--by", "Anna")
    assert stray.exit_code == 2 and "--amount" in stray.output
    confirm = cli("decide", "1", "--confirm", "--item", "x", "--by", "Anna")
    assert confirm.exit_code == 2 and "--item" in confirm.output


def test_csi_case_cannot_be_overridden_to_a_verksamhetsstod_outcome(cli):
    from test_csi_store import example2

    cli("csi", "submit", write(cli.tmp, "r.json", example2()[0]), "--date", "2026-05-04")
    refused = cli("decide", "1", "--override", "bifall", "--level", "1", "--period", "2026-08..2026-12",
                  "--amount", "1000", "--reason-code", "RATTELSE", "--reason", "x", "--by", "Anna")
    assert refused.exit_code == 2 and "'bifall'" in refused.output and "avslag" in refused.output
    assert len(show(cli)["decisions"]) == 1


# -- bullet 2: completion keeps the receipt date -----------------------------------------------


def _complete(cli, arrived: str, documents: dict):
    return cli("complete", "1", write(cli.tmp, f"k-{arrived}.json", {"documents": documents}), "--date", arrived)


def test_completion_in_time_keeps_the_receipt_date_and_the_amount(cli):
    raw = spring_application()
    cli("submit", write(cli.tmp, "a.json", raw), "--date", "2026-03-20")
    assert _proposal(show(cli))["outcome"] == "komplettering"
    done = _complete(cli, "2026-03-30", {"utredning": {"date": "2026-03-25"}})  # dated after receipt
    assert done.exit_code == 0, done.output
    after = _proposal(show(cli))
    whole = dict(raw, documents={**raw["documents"], "utredning": {"date": "2026-02-25"}})
    at_receipt = api.decide(api.read_application(whole)[0], date(2026, 3, 30))
    assert (after["amount_sek"], after["granted_start"]) == (at_receipt.amount_sek, "2026-03") == (144000, "2026-03")
    assert show(cli)["case"]["received"] == RECEIVED
    assert show(cli)["applications"][-1]["raw"]["received"] == RECEIVED


def test_completion_does_not_fail_a_document_accepted_at_receipt(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    findings = {f["rule_id"]: f["status"] for f in show(cli)["findings"]}
    assert findings["VS-K2"] == "met"  # åtgärdsprogram dated exactly 12 months before receipt
    _complete(cli, "2026-03-30", {"utredning": {"date": "2026-03-25"}})
    findings = {f["rule_id"]: f["status"] for f in show(cli)["findings"]}
    assert findings["VS-K2"] == "met" and findings["VS-K3"] == "met"


def test_completion_document_dated_after_its_arrival_is_refused(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    late = _complete(cli, "2026-03-30", {"utredning": {"date": "2026-03-31"}})
    assert late.exit_code == 2 and "documents.utredning.date" in late.output
    assert len(show(cli)["applications"]) == 1


def test_completion_after_the_deadline_is_refused_and_changes_nothing(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    late = _complete(cli, "2026-04-04", {"utredning": {"date": "2026-03-25"}})  # deadline 2026-04-03
    assert late.exit_code == 2
    assert "efter tidsfristen 2026-04-03" in late.output and "ny ansökan" in late.output
    view = show(cli)
    assert len(view["applications"]) == 1 and view["case"]["status"] == "komplettering_begard"


def test_queue_marks_a_passed_completion_deadline_and_avvisning_closes_it(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    before = as_json(cli("queue", "--json", "--date", "2026-04-03"))[0]
    assert before["completion_deadline"] == "2026-04-03" and not before["completion_overdue"]
    after = as_json(cli("queue", "--json", "--date", "2026-04-04"))[0]
    assert after["completion_overdue"]
    table = cli("queue", "--date", "2026-04-04")
    assert "fristen gick ut 2026-04-03" in table.output and "KOMPLETTERING_UTEBLEV" in table.output
    closed = cli("decide", "1", "--override", "avvisning", "--reason-code", "KOMPLETTERING_UTEBLEV",
                 "--reason", "Inget kom in.", "--by", "Anna", "--date", "2026-04-04")
    assert closed.exit_code == 0, closed.output
    assert show(cli)["current"]["outcome"] == "avvisning"


def test_vs_i2_and_the_queue_give_the_same_days_after_a_completion(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")  # 18 days
    _complete(cli, "2026-03-30", {"utredning": {"date": "2026-03-25"}})  # 10 days the school's turn
    i2 = next(f for f in show(cli)["findings"] if f["rule_id"] == "VS-I2")
    row = as_json(cli("queue", "--json", "--date", "2026-03-30"))[0]
    assert row["days_waited"] == 18 and "väntat 18 dagar" in i2["text"]
    later = as_json(cli("queue", "--json", "--date", "2026-04-20"))[0]
    assert later["days_waited"] == 49 - 10


def test_while_waiting_for_documents_the_clock_stands_still(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    row = as_json(cli("queue", "--json", "--date", "2026-04-01"))[0]
    assert row["days_waited"] == 18  # receipt to the komplettering decision


def test_stats_count_processing_days_without_the_applicants_turn(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")
    _complete(cli, "2026-03-30", {"utredning": {"date": "2026-03-25"}})
    cli("decide", "1", "--confirm", "--by", "Anna", "--date", "2026-04-20")
    total = as_json(cli("stats", "--json", "--date", "2026-05-01"))["total"]
    assert total["median_days"] == total["p90_days"] == 39


# -- bullet 3: dates ----------------------------------------------------------------------------


def test_submit_with_a_date_before_receipt_is_refused_naming_both_dates(cli):
    refused = cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-11-02")
    assert refused.exit_code == 2
    assert "2026-11-02" in refused.output and "2026-12-09" in refused.output and "-37" not in refused.output
    assert not (cli.tmp / "cases.db").exists()  # nothing stored: not even an empty store made


def test_dry_run_of_a_future_application_is_judged_on_its_receipt_date(tmp_path):
    from click.testing import CliRunner

    from stod.cli import main

    received = date.today().replace(year=date.today().year + 1, month=3, day=2)
    future = application(received=received.isoformat(), documents__atgardsprogram=None,
                         period={"start_month": f"{received.year}-03", "end_month": f"{received.year}-06"})
    ran = CliRunner().invoke(main, ["check", write(tmp_path, "f.json", future), "--json"])
    assert ran.exit_code == 0, ran.output
    decided = json.loads(ran.stdout)
    assert decided["outcome"] == "komplettering"
    assert decided["completion_deadline"] == "%d-03-16" % received.year  # 14 days from receipt, not from today


def test_check_with_a_date_before_the_policy_is_a_clear_refusal(cli):
    from click.testing import CliRunner

    from stod.cli import main

    path = write(cli.tmp, "a.json", application())
    ran = CliRunner().invoke(main, ["check", path, "--date", "2025-01-01"])
    assert ran.exit_code == 2 and "2026-01-01" in ran.output and "Traceback" not in ran.output
    before_receipt = CliRunner().invoke(main, ["check", path, "--date", "2026-12-01"])
    assert before_receipt.exit_code == 2 and "2026-12-01" in before_receipt.output and "2026-12-09" in before_receipt.output


def test_queue_on_a_day_without_policy_values_is_a_clear_refusal(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    refused = cli("queue", "--date", "2025-01-01")
    assert refused.exit_code == 2 and "2026-01-01" in refused.output and "Traceback" not in refused.output


def test_a_new_application_cannot_claim_completion_turns(cli):
    forged = application(completions=[{"requested": "2026-12-09", "arrived": "2027-03-01"}],
                         documents__utredning={"date": "2027-02-01"})
    refused = cli("submit", write(cli.tmp, "f.json", forged), "--date", "2026-12-20")
    assert refused.exit_code == 2 and "completions" in refused.output
    assert cli("show", "1").exit_code == 2  # nothing stored


def test_komplettering_uteblev_only_closes_an_overdue_completion_with_avvisning(cli):
    cli("submit", write(cli.tmp, "a.json", spring_application()), "--date", "2026-03-20")  # deadline 2026-04-03
    base = ["decide", "1", "--reason-code", "KOMPLETTERING_UTEBLEV", "--reason", "Inget kom in.", "--by", "Anna"]
    early = cli(*base, "--override", "avvisning", "--date", "2026-04-03")
    assert early.exit_code == 2 and "sista dag 2026-04-03" in early.output
    wrong = cli(*base, "--override", "avslag", "--date", "2026-04-04")
    assert wrong.exit_code == 2 and "bara med avvisning" in wrong.output
    assert cli(*base, "--override", "avvisning", "--date", "2026-04-04").exit_code == 0



def test_komplettering_uteblev_cannot_be_dated_past_a_deadline_that_has_not_passed_today(store):  # noqa: F811
    """A decision dated ahead (a date after the deadline) closed a case the school could still
    complete: the deadline must have passed on the day the decision is made, too."""
    from datetime import datetime, timezone

    from cases import workflow
    from cases.errors import InputRefused

    app, raw = api.read_application(spring_application())
    case_id = workflow.submit(store, app, raw, lambda a: api.decide(a, date(2026, 3, 20))).case_id  # deadline 04-03
    args = dict(outcome="avvisning", reason_code="KOMPLETTERING_UTEBLEV", reason="Inget kom in.", by="Anna",
                on=date(2026, 4, 4))
    with pytest.raises(InputRefused) as refused:
        workflow.override(store, case_id, **args, at=datetime(2026, 4, 2, 9, tzinfo=timezone.utc))
    # Refused as every decision dated after the day it is made is (before, this code closed the case).
    assert "beslutsdatum 2026-04-04 ligger efter i dag (2026-04-02)" in refused.value.problem
    with pytest.raises(InputRefused):
        workflow.override(store, case_id, **args, today=date(2026, 4, 3))  # the web app's day
    done = workflow.override(store, case_id, **args, at=datetime(2026, 4, 4, 9, tzinfo=timezone.utc))
    assert done.outcome == "avvisning"
