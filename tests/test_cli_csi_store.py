"""stod csi submit, round, release and groups: exit codes, messages and figures, on a SQLite file."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases.store import open_store
from stod.cli import main
from test_cli_cases import cli  # noqa: F401  (the same CLI runner fixture)
from test_csi_store import CONTRACT, example2, filler




def write(tmp: Path, name: str, data) -> str:
    path = tmp / name
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def round_file(tmp: Path, name: str, requests: list[dict]) -> str:
    return write(tmp, name, {"kind": "csi_round", "term": "HT2026", "requests": requests})


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def placed(cli):
    """Nine fillers placed in round 1, round-example-2's requests decided in round 2."""
    assert cli("csi", "submit", round_file(cli.tmp, "f.json", [filler(n) for n in range(1, 10)]),
               "--date", "2026-05-04").exit_code == 0
    assert cli("csi", "round", "--term", "HT2026", "--date", "2026-06-01").exit_code == 0
    assert cli("csi", "submit", str(CONTRACT / "round-example-2.json"), "--date", "2026-05-04").exit_code == 0
    return cli


def test_submit_a_round_file_then_again(cli):
    path = str(CONTRACT / "round-example.json")
    first = cli("csi", "submit", path, "--date", "2026-07-31", "--json")
    out = as_json(first)
    assert len(out) == 16 and all(r["ok"] and r["created"] for r in out)
    outcomes = {r["application_id"]: r["outcome"] for r in out}
    assert outcomes["CSI-H-00-002"] == "avvisning" and outcomes["CSI-H-00-003"] == "avslag"
    assert outcomes["CSI-H-00-000"] == "komplettering" and outcomes["CSI-H-00-001"] == "till_placeringsomgang"
    again = cli("csi", "submit", path, "--date", "2026-07-31")
    assert again.exit_code == 0 and again.output.count("redan mottagen") == 16


def test_submit_one_request_and_refusals(cli):
    request = example2()[0]
    ok = cli("csi", "submit", write(cli.tmp, "one.json", request), "--date", "2026-05-04")
    assert ok.exit_code == 0 and "ärende 1 (CSI-EX2-01), mottagen som ärende 1" in ok.output
    assert "till_placeringsomgang" in ok.output

    changed = copy.deepcopy(request)
    changed["assessed_need_level"] = 5
    other = cli("csi", "submit", write(cli.tmp, "changed.json", changed))
    assert other.exit_code == 2 and "CSI-EX2-01" in other.output and "annat innehåll" in other.output

    # A round file with one conflicting request is refused whole: its new request is not stored.
    batch = cli("csi", "submit", round_file(cli.tmp, "batch.json", [example2()[1], changed]))
    assert batch.exit_code == 2 and "annat innehåll" in batch.output

    bad = copy.deepcopy(example2()[2])
    bad["documents"]["utredning"]["date"] = "igår"
    refused = cli("csi", "submit", round_file(cli.tmp, "bad.json", [example2()[3], bad]))
    assert refused.exit_code == 2 and "requests[1] (CSI-EX2-03).documents.utredning.date" in refused.output

    vs = json.loads((CONTRACT.parent / "verksamhetsstod" / "VS-EX-01.json").read_text(encoding="utf-8"))
    wrong = cli("csi", "submit", write(cli.tmp, "vs.json", vs))
    assert wrong.exit_code == 2 and "stod submit" in wrong.output

    queue = as_json(cli("queue", "--json", "--date", "2026-06-01"))
    assert [r["application_id"] for r in queue] == ["CSI-EX2-01"]


def test_round_table_json_and_rerun(placed):
    table = placed("csi", "round", "--term", "HT2026", "--date", "2026-06-01")
    assert table.exit_code == 0, table.output
    assert "Placeringsomgång 2 för HT2026 (höstterminen 2026), prövad 2026-06-01" in table.output
    assert "7 ansökningar prövade: 4 placering, 3 ko, 0 med annat utfall" in table.output
    assert "CSI-AST-01: 1, CSI-AST-05: 1" in table.output  # CSI-EX2-03's waitlist positions
    again = placed("csi", "round", "--term", "HT2026", "--date", "2026-06-02")
    assert again.exit_code == 0
    assert "redan körd och inget har ändrats" in again.output and "Inget nytt sparat" in again.output
    assert "Senaste omgång: 2, prövad 2026-06-01 (4 placerade, 3 i kö)" in again.output
    out = as_json(placed("csi", "round", "--term", "HT2026", "--json"))
    assert out["status"] == "unchanged" and out["round"] == 2 and out["created"] is False


def test_round_json_and_show(placed):
    out = as_json(placed("csi", "round", "--term", "HT2026", "--date", "2026-06-01", "--json"))
    assert out["status"] == "created" and out["round"] == 2
    assert out["counts"] == {"requests": 7, "placering": 4, "ko": 3}
    placed_one = out["results"]["CSI-EX2-02"]
    assert placed_one["group"] == "CSI-AST-05" and placed_one["placement_id"] and placed_one["rank"]
    assert out["results"]["CSI-EX2-07"]["positions"] == {"CSI-AST-01": 3, "CSI-AST-05": 3}
    show = placed("show", "CSI-EX2-02")
    assert show.exit_code == 0 and "Placering i CSI-grupp" in show.output and "placement" in show.output


def test_round_refusals(cli):
    bad = cli("csi", "round", "--term", "HT26")
    assert bad.exit_code == 2 and "--term: 'HT26' är ingen termin; ange HT eller VT och ett år, t.ex. HT2026" in bad.output
    early = cli("csi", "round", "--term", "HT2020")
    assert early.exit_code == 2 and "HT2020 har inga terminsdatum för CSI" in early.output
    missing = cli("csi", "round", "--term", "HT2026")
    assert missing.exit_code == 2 and "ingen databas" in missing.output  # not "nothing waits" on no store
    open_store(str(cli.tmp / "cases.db")).dispose()
    empty = cli("csi", "round", "--term", "HT2026")
    assert empty.exit_code == 0 and "Inga ansökningar väntar på en placeringsomgång för HT2026" in empty.output
    assert cli("csi", "round").exit_code == 2  # --term is required


def test_release_offers_the_place_and_groups_show_it(placed):
    rows = as_json(placed("csi", "round", "--term", "HT2026", "--date", "2026-06-01", "--json"))
    assert rows["round"] == 2
    before = {g["id"]: g for g in as_json(placed("csi", "groups", "--term", "HT2026", "--json"))["groups"]}
    assert (before["CSI-AST-01"]["capacity"], before["CSI-AST-01"]["taken"], before["CSI-AST-01"]["free"],
            before["CSI-AST-01"]["waitlist"]) == (6, 6, 0, 3)
    assert (before["CSI-AST-05"]["taken"], before["CSI-AST-05"]["waitlist"]) == (4, 3)
    assert before["CSI-NPF-01"] == {**before["CSI-NPF-01"], "taken": 0, "free": 6, "waitlist": 0}

    assert placed("decide", "CSI-F-01", "--confirm", "--by", "Bo Berg", "--date", "2026-06-01").exit_code == 0
    released = placed("csi", "release", "CSI-F-01", "--date", "2026-10-15", "--by", "Anna Lindqvist")
    assert released.exit_code == 0, released.output
    assert "avslutad 2026-10-15 av Anna Lindqvist" in released.output
    assert "Platsen erbjuds CSI-EX2-03" in released.output and "i CSI-AST-01" in released.output
    assert "Kön flyttas fram: CSI-EX2-01 till plats 1 i CSI-AST-01, 1 i CSI-AST-05" in released.output
    after = {g["id"]: g for g in as_json(placed("csi", "groups", "--term", "HT2026", "--json"))["groups"]}
    assert (after["CSI-AST-01"]["taken"], after["CSI-AST-01"]["waitlist"]) == (6, 2)
    assert after["CSI-AST-05"]["waitlist"] == 2
    show = placed("show", "CSI-EX2-03")
    assert "Erbjudande om ledig plats" in show.output and "följs upp senast 2026-12-17" in show.output

    table = placed("csi", "groups", "--term", "HT2026")
    assert table.exit_code == 0 and "CSI-grupper HT2026 (höstterminen 2026); omgångar: 2" in table.output
    assert "totalt" in table.output


def test_release_exit_codes(placed):
    placed("csi", "round", "--term", "HT2026", "--date", "2026-06-01")
    unknown = placed("csi", "release", "999", "--by", "Anna Lindqvist")
    assert unknown.exit_code == 2 and "ingen placering med nummer eller ansöknings-id '999'" in unknown.output
    assert placed("csi", "release", "CSI-EX2-05").exit_code == 2  # --by is required
    blank = placed("csi", "release", "CSI-EX2-05", "--by", " ")
    assert blank.exit_code == 2 and "--by" in blank.output
    for confirmed in ("CSI-EX2-05", "CSI-F-02"):
        assert placed("decide", confirmed, "--confirm", "--by", "Bo Berg", "--date", "2026-06-01").exit_code == 0
    late = placed("csi", "release", "CSI-EX2-05", "--date", "2027-01-10", "--by", "Anna Lindqvist")
    assert late.exit_code == 2 and "upphör ändå 2026-12-31" in late.output
    first = placed("csi", "release", "CSI-EX2-05", "--date", "2026-09-01", "--by", "Anna Lindqvist")
    assert first.exit_code == 0 and "Ingen står i kö till CSI-TSK-04 för HT2026: platsen är ledig" in first.output
    twice = placed("csi", "release", "CSI-EX2-05", "--date", "2026-09-02", "--by", "Anna Lindqvist", )
    assert twice.exit_code == 1 and "avslutades redan 2026-09-01 av Anna Lindqvist" in twice.output
    json_out = as_json(placed("csi", "release", "CSI-F-02", "--date", "2026-09-01", "--by", "Bo Ek", "--json"))
    assert json_out["offered"]["application_id"] == "CSI-EX2-03" and json_out["skipped"] == []


def test_groups_default_term_and_bad_options(cli):
    from cases.store import open_store

    open_store(str(cli.tmp / "cases.db")).dispose()  # an empty store: csi groups only reads, never creates one
    out = as_json(cli("csi", "groups", "--date", "2026-09-15", "--json"))
    assert out["term"] == "HT2026" and out["rounds"] == 0 and len(out["groups"]) == 16
    assert sum(g["capacity"] for g in out["groups"]) == 95 and all(g["taken"] == 0 for g in out["groups"])
    assert as_json(cli("csi", "groups", "--date", "2026-07-10", "--json"))["term"] == "HT2026"
    assert as_json(cli("csi", "groups", "--date", "2027-02-01", "--json"))["term"] == "VT2027"
    assert cli("csi", "groups", "--term", "2026").exit_code == 2
    assert cli("csi", "groups", "--date", "15/9").exit_code == 2


@pytest.mark.parametrize("command", ["check", "submit", "round", "release", "groups"])
def test_every_csi_command_has_an_example(command):
    result = CliRunner().invoke(main, ["csi", command, "--help"])
    assert result.exit_code == 0 and "Example: stod csi " + command in result.output


def test_issue8_stod_decide_refuses_a_verksamhetsstod_outcome_for_a_csi_case(placed):
    result = placed("decide", "CSI-EX2-02", "--override", "bifall", "--amount", "100000", "--reason-code",
                    "SARSKILDA_SKAL", "--reason", "x", "--by", "Anna Lindqvist", "--date", "2026-06-02")
    assert result.exit_code == 2, result.output
    assert "okänt utfall 'bifall'" in result.output and "placering" in result.output
    shown = placed("show", "CSI-EX2-02", "--json")
    assert shown.exit_code == 0 and '"bifall"' not in shown.stdout
