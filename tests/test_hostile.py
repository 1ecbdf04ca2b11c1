"""Issue 10: output that input cannot drive, ranges, rule trees refused by every command, faults.

The input files themselves live in the bad-input corpus (``tests/bad_input``); these tests
cover what a corpus file cannot: what reaches the terminal from stored data, options and
arguments out of range, a rule tree refused the same way by validate, check and whatif,
and a store that is full, read-only, not a database, someone else's or newer than the code.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from stod.cli import main
from stod.common import console, err_console, safe, visible
from test_store import application

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_input"
CONTRACT = ROOT.parent / "shared" / "contract"
ESC = "\x1b"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    monkeypatch.setattr(console, "width", 200)
    monkeypatch.setattr(err_console, "width", 200)
    runner = CliRunner()

    def call(*args, **env):
        started = time.perf_counter()
        result = runner.invoke(main, [str(a) for a in args], env=env or None)
        result.seconds = time.perf_counter() - started
        return result

    call.tmp = tmp_path
    return call


def write(tmp: Path, name: str, data) -> str:
    path = tmp / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


# -- output -----------------------------------------------------------------------------------


def test_safe_escapes_markup_and_shows_control_characters():
    assert safe("VS-[/x]-1") == "VS-\\[/x]-1"
    assert visible("a\x1b[2Jb\x07\x7f\u202e\x9b") == "a␛[2Jb␇␡<U+202E><U+009B>"
    assert safe("x" * 500).endswith("…") and len(safe("x" * 500)) == 80
    assert safe("rad 1\nrad 2", None) == "rad 1\nrad 2"


def _store_case(run, **changes) -> str:
    data = {**application(), **changes}
    db = str(run.tmp / "s.db")
    result = run("submit", write(run.tmp, "a.json", data), "--db", db, "--date", "2026-12-20")
    assert result.exit_code == 0, result.output
    return db


def test_escape_sequences_in_a_school_name_are_refused_at_intake(run):
    data = application()
    data["school"] = {**data["school"], "name": "Skola\x1b[2J\x1b]0;titel\x07", "district": "Bromma\x1b[31m"}
    result = run("submit", write(run.tmp, "a.json", data), "--db", str(run.tmp / "s.db"), "--date", "2026-12-20")
    assert result.exit_code == 2 and "school.name: innehåller ett styrtecken (U+001B)" in result.output
    assert "school.district" in result.output and ESC not in result.output and "\x07" not in result.output


def test_escape_sequences_in_a_stored_school_name_never_reach_the_terminal(run):
    """A store written before intake refused control characters may hold them: output still escapes them."""
    db = _store_case(run)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cases SET school_name=?, district=? WHERE id=1",
                     ("Skola\x1b[2J\x1b]0;titel\x07", "Bromma\x1b[31m"))
        conn.execute("UPDATE applications SET raw=json_set(raw, '$.school.name', ?, '$.school.district', ?)",
                     ("Skola\x1b[2J\x1b]0;titel\x07", "Bromma\x1b[31m"))
    for args in (["show", "1"], ["queue", "--date", "2027-01-10"], ["stats", "--by", "school"],
                 ["stats", "--by", "district"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, result.output
        assert ESC not in result.output and "\x07" not in result.output, args
    assert "Skola␛[2J" in run("show", "1", "--db", db).output


def test_markup_in_an_application_id_is_printed_as_text(run):
    db = _store_case(run, application_id="VS-[/x]-[bold]1")
    for args in (["show", "VS-[/x]-[bold]1"], ["queue", "--date", "2027-01-10"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "VS-[/x]-[bold]1" in run("show", "1", "--db", db).output


def test_a_long_stored_id_is_cut_and_shown_fast(run):
    """An id stored before the length limit (30,000 characters) made show take 11 s."""
    db = _store_case(run)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cases SET application_id=? WHERE id=1", ("V" * 30_000,))
    for args in (["show", "1"], ["queue", "--date", "2027-01-10"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, result.output
        assert result.seconds < 2, f"{args} took {result.seconds:.1f} s"
        assert "V" * 200 not in result.output


def test_a_100000_character_id_is_refused_within_two_seconds(run):
    path = write(run.tmp, "long.json", {**application(), "application_id": "V" * 100_000})
    for args in (["check", path], ["submit", path, "--db", str(run.tmp / "s.db")]):
        result = run(*args, "--date", "2026-12-20")
        assert result.exit_code == 2 and "application_id" in result.output and result.seconds < 2


# -- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["check", "{app}", "--date", "9999-12-31"], ["check", "{app}", "--date", "0001-01-01"],
    ["check", "{app}", "--date", "２０２６-01-01"], ["queue", "--date", "9999-12-31"],
    ["submit", "{app}", "--date", "9999-12-31"], ["stats", "--date", "9999-12-31"],
    ["show", "99999999999999999999999"], ["show", "2147483648"], ["show", "１２"],
    ["decide", "1", "--confirm", "--by", "A", "--expect-version", "99999999999999999999"],
    ["decide", "1", "--override", "bifall", "--reason-code", "X", "--reason", "x", "--by", "A",
     "--amount", "99999999999999999999"],
    ["csi", "release", "99999999999999999999", "--by", "A"], ["csi", "round", "--term", "HT0000"],
    ["csi", "round", "--term", "HT99999"], ["demo", "--count", "99999999999999999999"],
], ids=lambda a: " ".join(a))
def test_out_of_range_options_exit_2(run, args):
    app = write(run.tmp, "a.json", application())
    result = run(*[a.replace("{app}", app) for a in args], "--db", str(run.tmp / "s.db"))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (OverflowError, ValueError))


# -- rule trees -------------------------------------------------------------------------------


@pytest.mark.parametrize("corpus", ["rule_ref_cycle", "rule_ref_self", "yaml_alias_bomb", "in_list_500",
                                    "nesting_via_references"])
def test_validate_check_and_whatif_refuse_a_broken_tree_alike(run, corpus):
    tree = run.tmp / "rules"
    shutil.copytree(ROOT / "rules", tree)
    shutil.copy(CORPUS / "rules" / f"{corpus}.yaml", tree / "verksamhetsstod" / "zz.yaml")
    env = {"STOD_RULES_DIR": str(tree)}
    validate = run("rules", "validate", **env)
    check = run("check", str(CONTRACT / "verksamhetsstod/VS-EX-01.json"), "--date", "2026-03-02", **env)
    db = _store_case(run)
    whatif = run("whatif", "--rules", str(tree), "--db", db)
    for result in (validate, check, whatif):
        assert result.exit_code == 2, result.output
        assert result.seconds < 2, f"took {result.seconds:.1f} s"
    first = validate.output.strip().splitlines()[0]
    assert first in check.output and first in whatif.output


def test_ruleset_guard_refuses_what_durable_rules_would_hang_on():
    from engine.durable import DurableRuleset
    from engine.errors import RuleFileError

    wide = {f"r{i}": {"$or": [{"g": v} for v in range(150)]} for i in range(3)}  # 450 alternatives
    with pytest.raises(RuleFileError, match="med 450 alternativ"):
        DurableRuleset("guardtest@wide", "case", wide)
    deep = {"g": 1}
    for i in range(14):
        deep = {"$and": [deep, {f"h{i}": i}]}
    with pytest.raises(RuleFileError, match="nästlad 15 nivåer"):
        DurableRuleset("guardtest@deep", "case", {"r": deep})


# -- faults -----------------------------------------------------------------------------------


def _one_line_exit_2(result, *words):
    """One error, exit 2: one "fel:" line (an intake refusal lists its one problem on the indented line under it)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    out = result.output.splitlines()
    lines = [i for i, line in enumerate(out) if line.startswith("fel:")]
    assert len(lines) == 1, result.output
    message = out[lines[0]]
    if message.startswith("fel: 1 fel att rätta"):  # IntakeRefused: exactly one problem, on the next line
        problems = [line for line in out[lines[0] + 1:] if line.startswith("  ")]
        assert len(problems) == 1, result.output
        message += " " + problems[0].strip()
    for word in words:
        assert word in message, message


def test_a_file_that_is_not_a_database(run):
    path = run.tmp / "inte.db"
    path.write_bytes(b"det har ar ingen databas" * 200)
    for args in (["queue"], ["show", "1"], ["audit", "verify"], ["stats"]):
        _one_line_exit_2(run(*args, "--db", str(path)), "inte en stodbeslut-databas")


def test_a_database_with_someone_elses_tables_is_not_touched(run):
    path = run.tmp / "annan.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, namn TEXT)")
    _one_line_exit_2(run("queue", "--db", str(path)), "migrations saknas")  # a reading command
    _one_line_exit_2(run("submit", str(CONTRACT / "verksamhetsstod/VS-EX-02.json"), "--db", str(path)),
                     "ingen migreringslogg")  # a writing command adds none of its tables
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["cases"]


def test_a_newer_schema_is_refused_at_open(run):
    db = _store_case(run)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('9999_from_the_future', '2030-01-01')")
    for args in (["queue"], ["show", "1"], ["submit", str(CONTRACT / "verksamhetsstod/VS-EX-02.json")]):
        _one_line_exit_2(run(*args, "--db", db), "nyare än programmet", "9999_from_the_future")


def test_schema_version_is_recorded(run):
    from cases.store import known_migrations

    db = _store_case(run)
    with sqlite3.connect(db) as conn:
        recorded = [r[0] for r in conn.execute("SELECT name FROM migrations")]
    assert sorted(recorded) == sorted(known_migrations()) and "0003_ledger" in recorded


def test_a_read_only_store(run):
    db = _store_case(run)
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    result = run("submit", str(CONTRACT / "verksamhetsstod/VS-EX-02.json"), "--db", url)
    assert result.exit_code == 2 and "skrivskyddad" in result.output and "Traceback" not in result.output


def test_a_full_disk_stops_the_batch_and_says_what_was_stored(run, monkeypatch):
    """SQLite's max_page_count stands in for a full disk: the store stops growing part-way."""
    import cases.store as S

    db = str(run.tmp / "full.db")
    S.open_store(db)  # the schema first, so the limit leaves the same room whatever tables exist
    with sqlite3.connect(db) as conn:
        schema_pages = conn.execute("PRAGMA page_count").fetchone()[0]
    original = S._sqlite_engine

    def small_engine(url):
        engine = original(url)

        @event.listens_for(engine, "connect")
        def _limit(dbapi_conn, _record):
            dbapi_conn.execute(f"PRAGMA max_page_count={schema_pages + 25}")

        return engine

    monkeypatch.setattr(S, "_sqlite_engine", small_engine)
    files = []
    for i in range(12):
        data = application(application_id=f"VS-FULL-{i:02d}")
        data["need"] = {**data["need"], "description": "Behov. " + "x" * 4000}
        files.append(write(run.tmp, f"a{i:02d}.json", data))
    result = run("submit", *files, "--db", db, "--date", "2026-12-20")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "lagringen är full" in result.output and "Körningen avbröts" in result.output
    stored = [f for f in files if f"✓ {f}" in result.output]
    assert 0 < len(stored) < len(files), result.output
    with sqlite3.connect(db) as conn:
        in_store = {r[0] for r in conn.execute("SELECT application_id FROM cases")}
    assert in_store == {f"VS-FULL-{i:02d}" for i in range(len(stored))}
    monkeypatch.setattr(S, "_sqlite_engine", original)
    again = run("submit", *files, "--db", db, "--date", "2026-12-20")
    assert again.exit_code == 0, again.output
    assert run("audit", "verify", "--db", db).exit_code == 0


def test_complete_with_a_lone_surrogate_prints_nothing_stored(run):
    """It printed the stored case's diagnoses, with no role given."""
    data = application()
    data["need"] = {**data["need"], "diagnoses": ["Hemlig diagnos A", "Hemlig diagnos B"]}
    db = _store_case(run, need=data["need"])
    bad = run.tmp / "komplettering.json"
    bad.write_text('{"documents": {"utredning": {"date": "2026-12-01\\ud800"}}, "received": "2026-12-20"}',
                   encoding="utf-8")
    result = run("complete", "1", str(bad), "--db", db, "--date", "2026-12-20")
    _one_line_exit_2(result, "surrogat")
    assert "Hemlig" not in result.output


def test_csi_check_prints_markup_in_a_request_id_as_text(run):
    data = json.loads((CORPUS / "csi/round_request_pnr.json").read_text(encoding="utf-8"))
    data["requests"][7]["pupil"]["ref"] = "EL-202367"
    data["requests"][0]["application_id"] = "CSI-[/x]-1"
    result = run("csi", "check", write(run.tmp, "round.json", data))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "CSI-[/x]-1" in result.output
