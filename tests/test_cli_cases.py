"""stod submit, queue, show, decide, complete and demo: exit codes and output, on a SQLite file."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stod.cli import main
from stod.common import console
from test_store import application


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    monkeypatch.setattr(console, "width", 200)
    db = str(tmp_path / "cases.db")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, [*args, "--db", db])

    run.tmp = tmp_path
    return run


def write(tmp, name, data) -> str:
    path = tmp / name
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_submit_then_resubmit(cli):
    path = write(cli.tmp, "a.json", application())
    first = cli("submit", path, "--date", "2026-12-20")
    assert first.exit_code == 0, first.output
    assert "ärende 1 (VS-T-001), mottagen som ärende 1" in first.output and "delvis_bifall" in first.output
    again = cli("submit", path, "--date", "2026-12-20")
    assert again.exit_code == 0 and "redan mottagen" in again.output


def test_batch_continues_and_exits_2_with_bad_file(cli):
    good = write(cli.tmp, "good.json", application())
    bad = write(cli.tmp, "bad.json", application(application_id="VS-BAD", need__measures=["trollstav"]))
    also = write(cli.tmp, "also.json", application(application_id="VS-T-002"))
    result = cli("submit", good, bad, also, "--json")
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert [r["ok"] for r in out] == [True, False, True]
    assert "need.measures[0]" in out[1]["error"] and "trollstav" in out[1]["error"]
    queue = json.loads(cli("queue", "--json", "--date", "2026-12-20").stdout)
    assert sorted(r["application_id"] for r in queue) == ["VS-T-001", "VS-T-002"]


def test_same_id_other_content_exit_2_names_the_id(cli):
    cli("submit", write(cli.tmp, "a.json", application()))
    changed = cli("submit", write(cli.tmp, "b.json", application(requested_amount_sek=1000)))
    assert changed.exit_code == 2
    assert "VS-T-001" in changed.output and "annat innehåll" in changed.output


def test_queue_table_and_json(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    table = cli("queue", "--date", "2027-01-20")
    assert table.exit_code == 0 and "VS-T-001" in table.output and "1 öppet ärende, 1 över målet" in table.output
    rows = json.loads(cli("queue", "--json", "--date", "2027-01-20").stdout)
    assert rows == [{**rows[0], "case_id": 1, "days_waited": 42, "target_days": 28, "over_target": True,
                     "status": "forslag", "proposal": "delvis_bifall", "received": "2026-12-09"}]


def test_show_hides_diagnoses_unless_caseworker(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    plain = cli("show", "1")
    assert plain.exit_code == 0
    assert "autism" not in plain.output and "dold" in plain.output
    assert "VS-P1" in plain.output and "Beviljat belopp: 70 100 kr" in plain.output
    caseworker = cli("show", "VS-T-001", "--role", "handlaggare")
    assert "autism, adhd" in caseworker.output
    data = json.loads(cli("show", "1", "--json").stdout)
    assert data["case"]["status"] == "forslag" and len(data["findings"]) >= 20
    assert "autism" not in json.dumps(data, ensure_ascii=False)
    missing = cli("show", "999")
    assert missing.exit_code == 2 and "999" in missing.output


@pytest.mark.usefixtures("decided_late")
def test_decide_confirm_then_conflict(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    ok = cli("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", "2026-12-21")
    assert ok.exit_code == 0 and "beslutat: delvis_bifall" in ok.output and "70 100 kr" in ok.output
    again = cli("decide", "1", "--confirm", "--by", "Bo Berg")
    assert again.exit_code == 1
    assert "konflikt" in again.output and "Anna Lindqvist" in again.output


def test_decide_override_reason_code_rules(cli):
    cli("submit", write(cli.tmp, "a.json", application()), "--date", "2026-12-20")
    no_code = cli("decide", "1", "--override", "avslag", "--reason", "x", "--by", "Anna")
    assert no_code.exit_code == 2 and "skälkod" in no_code.output
    unknown = cli("decide", "1", "--override", "avslag", "--reason-code", "HITTEPA", "--reason", "x", "--by", "Anna")
    assert unknown.exit_code == 2 and "HITTEPA" in unknown.output and "RATTELSE" in unknown.output
    both = cli("decide", "1", "--confirm", "--override", "avslag", "--by", "Anna")
    assert both.exit_code == 2
    ok = cli("decide", "1", "--override", "avslag", "--reason-code", "FELAKTIGA_UPPGIFTER",
             "--reason", "Timantalet stämmer inte med åtgärdsprogrammet.", "--by", "Anna")
    assert ok.exit_code == 0 and "ändrat från delvis_bifall" in ok.output
    shown = cli("show", "1")
    assert "FELAKTIGA_UPPGIFTER" in shown.output and "Motorns förslag" in shown.output


def test_complete_adds_documents(cli):
    cli("submit", write(cli.tmp, "a.json", application(documents__atgardsprogram=None)), "--date", "2026-12-20")
    assert json.loads(cli("show", "1", "--json").stdout)["case"]["status"] == "komplettering_begard"
    refused = cli("decide", "1", "--confirm", "--by", "Anna")
    assert refused.exit_code == 1 and "komplettering" in refused.output
    docs = write(cli.tmp, "k.json", {"documents": {"atgardsprogram": {"date": "2027-01-02", "signed_by_rektor": True}}})
    done = cli("complete", "1", docs, "--date", "2027-01-02")
    assert done.exit_code == 0, done.output
    assert "version 2" in done.output
    assert json.loads(cli("show", "1", "--json").stdout)["case"]["status"] == "forslag"
    late = write(cli.tmp, "late.json", {"documents": {"utredning": {"date": "2027-02-01"}}})
    bad = cli("complete", "1", late, "--date", "2027-01-09")
    assert bad.exit_code == 2 and "documents.utredning.date" in bad.output


def test_demo_runs_and_reruns_idempotently(cli):
    first = cli("demo", "--count", "40", "--seed", "3", "--json")
    assert first.exit_code == 0, first.output
    s = json.loads(first.stdout)
    assert s["cases"] == 40 and s["run"]["submitted"] == 40
    assert sum(s["decisions_by_outcome"].values()) + sum(v for k, v in s["by_status"].items() if k != "beslutad") == 40
    assert set(s["granted_sek_by_decision_year"]) <= {"2026", "2027", "2028"}
    second = json.loads(cli("demo", "--count", "40", "--seed", "3", "--json").stdout)
    assert second["run"]["submitted"] == 0 and second["run"]["already"] == 40
    assert {k: v for k, v in second.items() if k != "run"} == {k: v for k, v in s.items() if k != "run"}
    fresh = json.loads(cli("demo", "--count", "10", "--seed", "3", "--fresh", "--json").stdout)
    assert fresh["cases"] == 10


def test_demo_covers_every_outcome_and_both_rate_years(cli):
    s = json.loads(cli("demo", "--count", "300", "--seed", "1", "--json").stdout)
    assert set(s["decisions_by_outcome"]) == {"avvisning", "avslag", "delvis_bifall", "bifall"}
    assert {"2026", "2027"} <= set(s["granted_sek_by_decision_year"])
    assert s["overrides"] > 0 and s["past_target_decided"] > 0 and s["cases_with_completion"] > 0


@pytest.mark.parametrize("command", ["submit", "queue", "show", "decide", "complete", "demo"])
def test_every_command_help_has_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example: stod " + command in result.output


def test_queue_on_a_day_leaves_out_cases_received_later(cli):
    """Regression: after the demo, `stod queue` on a day before some receipts showed negative days."""
    early, late = application(), application()
    late["application_id"], late["received"] = "VS-T-LATE", "2026-12-15"
    cli("submit", write(cli.tmp, "early.json", early), "--date", "2026-12-20")
    cli("submit", write(cli.tmp, "late.json", late), "--date", "2026-12-20")
    result = cli("queue", "--date", "2026-12-10", "--json")
    assert result.exit_code == 0, result.output
    ids = [row["application_id"] for row in json.loads(result.output)]
    assert "VS-T-LATE" not in ids and early["application_id"] in ids


def test_submit_prints_the_same_lines_on_a_terminal_and_to_a_pipe(cli, monkeypatch):
    """On a terminal the lines go through rich (colours); into a pipe or a file the same text is
    written as it is. Markup-like and control characters in a file name are shown alike."""
    from rich.console import Console

    from stod.cmd_cases import print_submitted
    from stod.services.submit import SubmitReport

    path = write(cli.tmp, "[bold]x\x1b[2J.json", application())
    submitted = cli("submit", path, "--date", "2026-12-20")
    assert submitted.exit_code == 0, submitted.output
    plain = [line for line in submitted.output.splitlines() if "ärende" in line]
    assert plain and "[bold]x␛[2J.json" in plain[0] and "delvis_bifall" in plain[0]

    report = SubmitReport()
    report.results.append({"file": path, "ok": True, "case_id": 1, "application_id": "VS-T-001",
                           "message": "mottagen som ärende 1", "created": True, "outcome": "delvis_bifall",
                           "amount_sek": 70100})
    terminal = Console(force_terminal=True, color_system="truecolor", width=300, record=True, highlight=False)
    monkeypatch.setattr("stod.cmd_cases.console", terminal)
    print_submitted(report, False)
    assert "\x1b[" in terminal.export_text(clear=False, styles=True)  # coloured on the terminal
    assert terminal.export_text(styles=False).splitlines() == plain
