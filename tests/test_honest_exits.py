"""Issue 9 items 5 and 7: no command reports "all clear" having checked nothing, no read-only
command creates a database, and database errors are one line a person can act on."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from stod.cli import main

CONTRACT_APP = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod" / "VS-EX-01.json"

READ_ONLY = [["queue"], ["show", "1"], ["stats"], ["replay", "--all"], ["audit", "verify"],
             ["csi", "groups", "--term", "HT2026"], ["coverage"], ["rulebook", "--out", "site"],
             ["whatif", "--rules", os.path.join(os.path.dirname(__file__), "..", "rules")]]
# Commands that change a case: the case is in a store that exists (they created an empty one).
CHANGING = [["decide", "1", "--confirm", "--by", "Anna Lindqvist"], ["complete", "1", __file__],
            ["csi", "release", "1", "--by", "Anna Lindqvist"], ["csi", "round", "--term", "VT2027"]]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


@pytest.mark.parametrize("command", READ_ONLY + CHANGING, ids=lambda c: " ".join(c[:2]))
def test_a_mistyped_db_path_is_refused_and_nothing_is_created(run, tmp_path, command):
    missing = tmp_path / "stdo.db"
    result = run(*command, "--db", str(missing))
    assert result.exit_code == 2, result.output
    assert f"ingen databas på {missing}" in result.output and "Traceback" not in result.output
    assert not missing.exists() and not list(tmp_path.glob("stdo.db*"))


@pytest.mark.parametrize("command", [["stats"], ["equity"], ["coverage"], READ_ONLY[-1]],
                         ids=lambda c: c[0])
def test_a_period_that_ends_before_it_starts_is_refused_not_counted_as_empty(run, command):
    result = run(*command, "--from", "2027-06-01", "--to", "2027-01-01")
    assert result.exit_code == 2, result.output
    assert "--to: 2027-01-01 är före --from 2027-06-01" in result.output and "Traceback" not in result.output
    same_day = run(*command, "--from", "2027-01-01", "--to", "2027-01-01")
    assert "är före --from" not in same_day.output


def test_audit_verify_on_an_empty_store_is_not_all_clear(run, tmp_path):
    db = str(tmp_path / "empty.db")
    from cases.store import open_store

    open_store(db).dispose()  # a real, empty case store
    result = run("audit", "verify", "--db", db)
    assert result.exit_code != 0 and "Händelsekedjorna är hela" not in result.output


@pytest.mark.parametrize("command", [["rules", "check"], ["rules", "validate"], ["whatif"]])
def test_a_rules_folder_with_no_rule_area_is_refused(run, tmp_path, command):
    empty = tmp_path / "forslag"
    empty.mkdir()
    (empty / "README.txt").write_text("not rules")
    result = run(*command, "--rules", str(empty))
    assert result.exit_code == 2 and "inget regelområde" in result.output


def test_rules_validate_takes_a_proposed_tree(run):
    rules = os.path.join(os.path.dirname(__file__), "..", "rules")
    result = run("rules", "validate", "--rules", rules)
    assert result.exit_code == 0 and "verksamhetsstod" in result.output and "csi" in result.output


def test_coverage_without_a_test_run_fails_with_one_line(run, tmp_path):
    result = run("coverage", "--coverage-file", str(tmp_path / "none.json"))
    assert result.exit_code == 1 and "ingen testkörning" in result.output and "Saknar scenario" not in result.output


def test_unreachable_postgres_is_one_line_exit_2(run):
    result = run("queue", "--db", "postgresql://stod@127.0.0.1:1/stod")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "kan inte öppnas" in result.output


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_url_aliases_mean_psycopg(scheme):
    from cases.store import resolve_url

    assert resolve_url(f"{scheme}://stod@db.example:5432/stod").startswith("postgresql+psycopg://")


def test_a_url_of_an_unknown_database_kind_is_one_line_exit_2(run):
    result = run("submit", "x.json", "--db", "mysql+nosuchdriver://a@b/c")
    assert result.exit_code == 2 and "--db" in result.output and "Traceback" not in result.output


def test_a_store_of_an_unknown_schema_version_is_refused(run, tmp_path):
    from datetime import datetime, timezone

    from cases.models import Migration
    from cases.store import open_store

    db = str(tmp_path / "newer.db")
    store = open_store(db)
    with store.write() as session:
        session.add(Migration(name="9999_from_a_newer_stod", applied_at=datetime.now(timezone.utc)))
    store.dispose()
    result = run("queue", "--db", db)
    assert result.exit_code == 2 and "9999_from_a_newer_stod" in result.output


def test_postgres_aliases_reach_the_test_server():
    url = os.environ.get("STOD_TEST_PG_URL")
    if not url:
        pytest.skip("STOD_TEST_PG_URL is not set")
    from cases.store import open_store

    for scheme in ("postgres", "postgresql"):
        alias = scheme + url[url.index("://"):]
        store = open_store(alias)
        assert store.dialect == "postgresql"
        store.dispose()


def test_output_read_only_in_part_stops_quietly_not_as_a_storage_fault(tmp_path):
    """`stod check … --json | head`: the reader closes the pipe; the command stops as other tools
    do (exit 141, as if killed by SIGPIPE), with no word of a store (it has none)."""
    import json
    import subprocess
    import sys

    from stod.services.demo_data import generate_applications

    paths = []
    for i, raw in enumerate(generate_applications(40, seed=5)):
        path = tmp_path / f"{i:02d}.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    for workers in ("1", "2"):
        proc = subprocess.Popen([sys.executable, "-m", "stod", "check", *paths, "--json", "--date", "2027-12-31",
                                 "--workers", workers], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout.read(10) == b'[\n  {\n    '
        proc.stdout.close()  # the reader has what it wanted
        err = proc.stderr.read().decode()
        assert proc.wait(60) == 141, err
        assert err == ""


WRITERS_REFUSED_FOR_THEIR_INPUT = [
    ["submit", "{app}", "--date", "2027-02-30"],
    ["csi", "submit", "{app}", "--date", "2027-13-01"],
    ["complete", "1", "{app}", "--date", "igår"],
    ["complete", "1", "{missing}"],
    ["csi", "release", "1", "--by", "Anna Handläggare", "--date", "2027-02-30"],
    ["csi", "load-placements", "{missing}", "--by", "Anna Handläggare"],
]


@pytest.mark.parametrize("command", WRITERS_REFUSED_FOR_THEIR_INPUT, ids=lambda c: " ".join(c[:2]))
def test_a_command_refused_for_its_input_creates_no_store(run, tmp_path, command):
    """A wrong date or a missing file is refused (exit 2, in Swedish) before the store is opened:
    no empty database is left where --db pointed."""
    app = tmp_path / "app.json"
    app.write_text("{}", encoding="utf-8")
    db = tmp_path / "new.db"
    args = [a.format(app=app, missing=tmp_path / "saknas.json") for a in command]
    result = run(*args, "--db", str(db))
    assert result.exit_code == 2, result.output
    assert ("inget datum" in result.output or "den finns inte" in result.output) and "Traceback" not in result.output
    assert not list(tmp_path.glob("new.db*"))


def test_check_ends_at_once_with_all_its_output_and_its_exit_code(tmp_path):
    """`stod check` leaves without tearing Python down (``common.end_now``): what it printed
    arrives whole (to a pipe and to a file), and the exit code is the command's own."""
    import json
    import subprocess
    import sys

    from stod.services.demo_data import generate_applications

    paths = []
    for i, raw in enumerate(generate_applications(30, seed=9)):
        path = tmp_path / f"{i:02d}.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    args = [*paths, "--json", "--date", "2027-12-31"]
    expected = CliRunner().invoke(main, ["check", *args, "--workers", "1"]).output
    assert len(expected) > 100_000  # more than a pipe holds at once
    for workers in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "stod", "check", *args, "--workers", workers],
                              capture_output=True, text=True)
        assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
    out = tmp_path / "out.json"
    with open(out, "w") as handle:
        assert subprocess.run([sys.executable, "-m", "stod", "check", *args], stdout=handle).returncode == 0
    assert out.read_text(encoding="utf-8") == expected
    refused = tmp_path / "refused.json"
    refused.write_text("{}", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "stod", "check", str(refused), paths[0]], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "kind" in done.stderr and "Traceback" not in done.stderr


def test_submit_closes_its_store_before_it_ends_at_once(tmp_path):
    """`stod submit` closes its store (SQLite writes its log back and removes it), then leaves
    without tearing Python down: every case is there, the chains are whole, the exit code
    is the command's own, and no -wal or -shm file is left."""
    import json
    import subprocess
    import sys

    from stod.services.demo_data import generate_applications

    paths = []
    for i, raw in enumerate(generate_applications(12, seed=13)):
        path = tmp_path / f"{i:02d}.json"
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    refused = tmp_path / "refused.json"
    refused.write_text("{}", encoding="utf-8")
    db = tmp_path / "cases.db"
    stod = [sys.executable, "-m", "stod"]
    for workers, files, code in (("2", paths[:6], 0), ("1", [*paths[6:], str(refused)], 2)):
        done = subprocess.run([*stod, "submit", *files, "--date", "2027-12-31", "--db", str(db), "--workers", workers],
                              capture_output=True, text=True)
        assert done.returncode == code, done.stderr
        assert done.stdout.count("mottagen som ärende") == 6 and "Traceback" not in done.stderr
        assert sorted(p.name for p in tmp_path.glob("cases.db*")) == ["cases.db"]
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (12,)
    verify = subprocess.run([*stod, "audit", "verify", "--db", str(db)], capture_output=True, text=True)
    assert verify.returncode == 0 and "12 ärenden" in verify.stdout, verify.stdout + verify.stderr


@pytest.mark.parametrize("command", [["queue", "--json", "--date", "2027-12-31"], ["show", "1"], ["audit", "verify"],
                                     ["replay", "--all"], ["db", "backup", "kopia.db"]], ids=lambda c: "-".join(c[:2]))
def test_a_store_command_closes_its_store_when_it_ends(tmp_path, command):
    """Every command's stores are closed at its end (``cli.run``), before Python exits without
    collecting garbage: its output is whole and no -wal or -shm file is left beside the database
    (a backup read the store through a read-only connection, which could not remove them)."""
    import json
    import subprocess
    import sys

    from stod.services.demo_data import generate_applications

    app = tmp_path / "app.json"
    app.write_text(json.dumps(generate_applications(1, seed=17)[0], ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "cases.db"
    stod = [sys.executable, "-m", "stod"]
    assert subprocess.run([*stod, "submit", str(app), "--date", "2027-12-31", "--db", str(db)],
                          capture_output=True).returncode == 0
    command = [str(tmp_path / c) if c.endswith(".db") else c for c in command]
    done = subprocess.run([*stod, *command, "--db", str(db)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() and not done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.glob("cases.db*")) == ["cases.db"]
    if "--json" in command:
        assert json.loads(done.stdout)[0]["case_id"] == 1


def test_a_command_started_with_its_output_closed_says_so_in_swedish(tmp_path):
    """`stod check … >&-`: nowhere to answer; one Swedish line on stderr, exit 2, no traceback."""
    import shlex
    import subprocess
    import sys

    app = CONTRACT_APP
    for args in (f"check {app} --json", f"check {app} {app} --json --workers 2", f"queue --db {tmp_path / 'x.db'}"):
        done = subprocess.run(f"{shlex.quote(sys.executable)} -m stod {args} >&-", shell=True, capture_output=True,
                              text=True)
        assert done.returncode == 2 and "standardutdata är stängd" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("command", [["submit"], ["csi", "submit"]], ids=" ".join)
def test_a_submit_whose_every_file_is_refused_creates_no_store(run, tmp_path, command):
    """Every file refused (intake, kind, unreadable): the same report as into an existing store,
    exit 2, and no empty database left where --db pointed; one good file creates it."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "verksamhetsstod"}', encoding="utf-8")
    files = [str(bad), str(tmp_path / "saknas.json")]
    existing = tmp_path / "existing.db"
    assert run("submit", str(CONTRACT_APP), "--db", str(existing), "--date", "2026-05-01").exit_code == 0
    into_existing = run(*command, *files, "--db", str(existing), "--json")
    new = tmp_path / "new.db"
    refused = run(*command, *files, "--db", str(new), "--json")
    assert refused.exit_code == into_existing.exit_code == 2, refused.output
    assert refused.stdout == into_existing.stdout and "Traceback" not in refused.output
    assert not list(tmp_path.glob("new.db*"))
    good = CONTRACT_APP if command == ["submit"] else CONTRACT_APP.parents[1] / "csi" / "round-example.json"
    assert run(*command, *files, str(good), "--db", str(new), "--date", "2026-05-01").exit_code == 2
    assert new.exists()  # a file got past intake: stored, the others refused


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["check", "{app}", "--date", "2027-12-31"],
                                  ["check", "{app}", "--json", "--date", "2027-12-31"], ["rules", "list"]],
                         ids=lambda a: " ".join(a[:3]))
def test_output_to_a_full_disk_is_not_called_a_full_store(tmp_path, args):
    """`stod check … > /dev/full`: the output cannot be written. One Swedish line says so (exit 2);
    it does not say the case store is full (check stores nothing, and no store was named)."""
    import json
    import subprocess
    import sys

    from stod.services.demo_data import generate_applications

    app = tmp_path / "a.json"
    app.write_text(json.dumps(generate_applications(1, seed=3)[0], ensure_ascii=False), encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "stod", *[a.format(app=app) for a in args]], stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "fel: det gick inte att skriva: ingen plats kvar på disken; frigör utrymme och kör kommandot igen\n"
    assert not list(tmp_path.glob("*.db*"))


@pytest.mark.parametrize("command", [["users", "add", "namn med mellanslag", "--role", "revisor", "--password-stdin"],
                                     ["tokens", "add", " "]], ids=["users add", "tokens add"])
def test_a_refused_account_or_token_creates_no_store(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    missing = tmp_path / "ny.db"
    result = CliRunner().invoke(main, [*command, "--db", str(missing)], input="ett långt lösenord\n")
    assert result.exit_code == 2 and "NAME" in result.output, result.output
    assert not list(tmp_path.glob("ny.db*"))


def test_a_new_store_named_with_a_personnummer_is_refused_and_not_created(run, tmp_path):
    named = tmp_path / "elev-121212-1212.db"
    result = run("submit", str(CONTRACT_APP), "--db", str(named), "--date", "2026-05-01")
    assert result.exit_code == 2 and "--db: filnamnet får inte innehålla ett personnummer" in result.output
    assert "1212" not in result.output and not list(tmp_path.glob("elev-*"))
    missing = run("queue", "--db", str(named))
    assert missing.exit_code == 2 and "ingen databas" in missing.output and "1212" not in missing.output


def test_a_command_does_not_search_the_installed_packages_for_pydantic_plugins():
    """The product installs no pydantic plugin (``stod/__init__.py``): the first model made does
    not read every installed package's metadata for one (1.5 % of a one-file `stod check`, by
    callgrind's count). A plugin switch the operator sets stands."""
    import subprocess
    import sys

    probe = "import stod.cli, pydantic.plugin._loader as p; print(p._plugins)"
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "None", done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**env, "PYDANTIC_DISABLE_PLUGINS": "logfire"})
    assert done.stdout.strip() == "{}", done.stdout + done.stderr
