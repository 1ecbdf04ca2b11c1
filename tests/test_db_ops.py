"""Issue 15 items 5 and 6: schema versions and upgrades from the previous release, backups and
restores (SQLite's backup API; pg_dump/pg_restore on PostgreSQL), and gallring on a store
that an earlier release made.

The previous-release fixtures were made by commit 496410d (the release before issue 15):
``stod demo --count 24``, the contract's CSI round file submitted, ``stod csi round --term
HT2026 --date 2026-06-01`` and one placement confirmed; then ``VACUUM`` (SQLite) or
``pg_dump --no-owner --no-privileges`` (PostgreSQL), gzipped.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cases.store import known_migrations, resolve_url
from test_hostile import run  # noqa: F401  (the one CLI runner fixture of the command tests)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "prev_release"
PREV_SQLITE = FIXTURES / "stod-496410d.sqlite.gz"
PREV_PG = FIXTURES / "stod-496410d.pg.sql.gz"
PREV_MIGRATIONS = ["0001_initial_schema", "0002_queue_index", "csi_0001_rounds_placements_waitlists"]
CONTRACT = Path(__file__).resolve().parent.parent.parent / "shared" / "contract"
PG_URL = os.environ.get("STOD_TEST_PG_URL")


@pytest.fixture(autouse=True)
def later_today(monkeypatch):
    """Gallring runs on its day, never ahead of it: these tests live in 2040."""
    from stod import cmd_db

    monkeypatch.setattr(cmd_db, "_today", lambda: date(2040, 12, 31))


@pytest.fixture
def prev_db(tmp_path) -> Path:
    """A copy of the store the previous release made."""
    path = tmp_path / "prev.db"
    path.write_bytes(gzip.decompress(PREV_SQLITE.read_bytes()))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def refused(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for word in words:
        assert word in result.output, result.output
    return result


def migrations_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM migrations")]


# -- schema versions and the upgrade from the previous release -----------------------------------


def test_status_reads_the_previous_release_without_changing_it(run, prev_db):
    before = digest(prev_db)
    result = run("db", "status", "--db", prev_db, "--json")
    assert result.exit_code == 1, result.output  # not current: the upgrade is pending
    status = json.loads(result.output)
    assert status["schema_version"] == 3 and status["program_schema_version"] == len(known_migrations())
    assert [a["name"] for a in status["applied"]] == PREV_MIGRATIONS
    assert set(status["pending"]) == set(known_migrations()) - set(PREV_MIGRATIONS)
    assert "0003_ledger" in status["pending"] and digest(prev_db) == before
    assert "kör stod db upgrade" in " ".join(run("db", "status", "--db", prev_db).output.split())


def test_upgrade_of_the_previous_release_then_every_command_works(run, prev_db):
    result = ok(run("db", "upgrade", "--db", prev_db, "--json"))
    report = json.loads(result.output)
    assert report["schema_version_before"] == 3 and report["status"]["current"] is True
    assert report["applied"] == [n for n in known_migrations() if n not in PREV_MIGRATIONS]  # in order
    assert sorted(migrations_in(prev_db)) == sorted(known_migrations())
    again = json.loads(ok(run("db", "upgrade", "--db", prev_db, "--json")).output)
    assert again["applied"] == [] and again["created_tables"] == []  # idempotent
    ok(run("db", "status", "--db", prev_db))

    verify = ok(run("audit", "verify", "--db", prev_db, "--json"))
    assert json.loads(verify.output)["ok"] is True and json.loads(verify.output)["cases"] == 40
    replay = json.loads(run("replay", "--all", "--db", prev_db, "--json").output)
    # Every outcome and amount the previous release stored is reproduced (only the letter's wording changed).
    assert replay["replayed"] == 45 and replay["differing"] == 0 and replay["not_replayable"] == 0, replay
    ok(run("queue", "--db", prev_db, "--date", "2027-12-31"))
    ok(run("show", "1", "--db", prev_db, "--role", "handlaggare"))
    ok(run("submit", CONTRACT / "verksamhetsstod" / "VS-EX-01.json", "--db", prev_db, "--date", "2026-05-01"))
    ok(run("decide", "VS-EX-01", "--confirm", "--by", "Anna Lindqvist", "--db", prev_db, "--date", "2026-05-02"))
    ok(run("csi", "groups", "--term", "HT2026", "--db", prev_db))
    ok(run("audit", "verify", "--db", prev_db))


def test_upgrade_and_status_refuse_what_is_no_store(run):
    refused(run("db", "upgrade", "--db", run.tmp / "saknas.db"), "ingen databas")
    assert not (run.tmp / "saknas.db").exists()
    other = run.tmp / "annan.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE elever (id INTEGER PRIMARY KEY)")
    refused(run("db", "status", "--db", other), "migrations saknas")
    refused(run("db", "upgrade", "--db", other), "migrations saknas")


def test_a_column_without_its_migration_is_named_by_status_and_upgrade(run, prev_db):
    ok(run("db", "upgrade", "--db", prev_db))
    with sqlite3.connect(prev_db) as conn:  # as if a release had added the column without a migration
        conn.execute("ALTER TABLE decisions DROP COLUMN computed_sek")
    status = run("db", "status", "--db", prev_db, "--json")
    assert status.exit_code == 1 and json.loads(status.output)["missing_columns"] == ["decisions.computed_sek"]
    result = run("db", "upgrade", "--db", prev_db)
    assert result.exit_code == 1 and "decisions.computed_sek" in result.output


# -- SQLite backup and restore --------------------------------------------------------------------


def test_backup_and_restore_round_trip(run, prev_db):
    ok(run("db", "upgrade", "--db", prev_db))
    backup = run.tmp / "kopia.db"
    result = ok(run("db", "backup", backup, "--db", prev_db, "--json"))
    assert sorted(p.name for p in run.tmp.iterdir() if p.name.startswith("kopia")) == ["kopia.db"]  # one file
    assert json.loads(result.output) == {"file": str(backup), "schema_version": len(known_migrations()),
                                         "cases": 40, "events": 195}
    restored = run.tmp / "ny" / "stod.db"
    refused(run("db", "restore", backup, "--db", restored), "mappen", "finns inte")
    restored.parent.mkdir()
    ok(run("db", "restore", backup, "--db", restored))
    assert json.loads(ok(run("audit", "verify", "--db", restored, "--json")).output)["ok"] is True
    replay = json.loads(run("replay", "--all", "--db", restored, "--json").output)
    assert replay["differing"] == 0 and replay["not_replayable"] == 0
    ok(run("db", "status", "--db", restored))


def test_restore_refuses_to_overwrite_cases_without_force(run, prev_db):
    backup = run.tmp / "kopia.db"
    ok(run("db", "backup", backup, "--db", prev_db))
    target = run.tmp / "drift.db"
    ok(run("submit", CONTRACT / "verksamhetsstod" / "VS-EX-01.json", "--db", target, "--date", "2026-05-01"))
    before = digest(target)
    refused(run("db", "restore", backup, "--db", target), "innehåller 1 ärende;", "--force")
    assert digest(target) == before
    ok(run("db", "restore", backup, "--force", "--db", target))
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 40
    # A restored older store is upgraded like any other.
    assert sorted(migrations_in(target)) == sorted(PREV_MIGRATIONS)
    ok(run("db", "upgrade", "--db", target))
    ok(run("audit", "verify", "--db", target))


def test_looking_at_a_restore_target_leaves_no_wal_files(tmp_path):
    from cases import backup as B

    target = tmp_path / "drift.db"
    with sqlite3.connect(target) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO cases DEFAULT VALUES")
    conn.close()
    assert not list(tmp_path.glob("drift.db-*"))
    assert B._cases_in(target) == 1
    assert not list(tmp_path.glob("drift.db-*"))  # a refused restore left -wal and -shm beside it


def test_restore_checks_the_file(run, prev_db):
    target = run.tmp / "mål.db"
    refused(run("db", "restore", run.tmp / "finns-inte.db", "--db", target), "finns inte")
    junk = run.tmp / "skräp.db"
    junk.write_bytes(b"ingen databas" * 100)
    refused(run("db", "restore", junk, "--db", target), "ingen SQLite-databas")
    other = run.tmp / "annan.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE elever (id INTEGER PRIMARY KEY)")
    refused(run("db", "restore", other, "--db", target), "ingen stodbeslut-databas")
    with sqlite3.connect(prev_db) as conn:
        conn.execute("INSERT INTO migrations (name, applied_at) VALUES ('9999_framtid', '2030-01-01')")
    refused(run("db", "restore", prev_db, "--db", target), "9999_framtid", "nyare version")
    assert not target.exists()


def test_backup_refuses_what_it_cannot_do(run, prev_db):
    existing = run.tmp / "finns.db"
    existing.write_bytes(b"x")
    refused(run("db", "backup", existing, "--db", prev_db), "finns redan", "--force")
    assert existing.read_bytes() == b"x"
    refused(run("db", "backup", run.tmp / "k.db", "--db", run.tmp / "saknas.db"), "ingen databas")
    assert not (run.tmp / "saknas.db").exists() and not (run.tmp / "k.db").exists()
    refused(run("db", "backup", run.tmp / "k.db", "--db", "postgresql://stod@127.0.0.1:1/x"), "pg_dump")
    refused(run("db", "backup", prev_db, "--db", prev_db, "--force"), "databasen själv")
    before = digest(prev_db)
    ok(run("db", "backup", run.tmp / "k.db", "--db", prev_db))
    assert digest(prev_db) == before  # a backup of an old store copies it as it is (no upgrade first)


def test_backup_and_restore_never_show_a_personnummer_in_a_file_name(run, prev_db):
    named = run.tmp / "kopia-19121212-1212.db"
    result = refused(run("db", "backup", named, "--db", prev_db), "filnamnet", "personnummer")
    assert "1212" not in result.output and not named.exists()
    result = refused(run("db", "restore", run.tmp / "elev-121212-1212.db", "--db", run.tmp / "ny.db"), "finns inte")
    assert "1212" not in result.output


def test_backup_counts_in_swedish(run, tmp_path):
    store = tmp_path / "drift.db"
    ok(run("submit", CONTRACT / "verksamhetsstod" / "VS-EX-01.json", "--db", store, "--date", "2026-05-01"))
    result = ok(run("db", "backup", tmp_path / "kopia.db", "--db", store))
    assert "(1 ärende, 3 händelser, schemaversion" in " ".join(result.output.split())


def test_backup_while_another_connection_writes(run, prev_db):
    """The online backup copies a consistent state while a writer holds the store."""
    ok(run("db", "upgrade", "--db", prev_db))
    writer = sqlite3.connect(prev_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE cases SET school_name = 'halvskrivet' WHERE id = 1")
    try:
        ok(run("db", "backup", run.tmp / "under-skrivning.db", "--db", prev_db))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    ok(run("audit", "verify", "--db", run.tmp / "under-skrivning.db"))


# -- gallring on the previous release's store --------------------------------------------------------


def test_gallring_of_an_upgraded_store(run, prev_db):
    ok(run("db", "upgrade", "--db", prev_db))
    before = digest(prev_db)
    dry = json.loads(ok(run("gallra", "--dry-run", "--on", "2028-06-01", "--db", prev_db, "--json")).output)
    assert digest(prev_db) == before and dry["removed"] == []
    # Not yet due: the words of the 20 other decided cases, and all 24 cases' ten-year removal.
    assert [d["case_id"] for d in dry["due"]] == [1, 3, 4, 5] and dry["not_yet_due"] == 20 + 24
    done = json.loads(ok(run("gallra", "--on", "2028-06-01", "--db", prev_db, "--json")).output)
    assert [d["case_id"] for d in done["removed"]] == [1, 3, 4, 5]
    with sqlite3.connect(prev_db) as conn:
        needs = [json.loads(r[0])["need"] for r in conn.execute("SELECT raw FROM applications WHERE case_id = 1")]
    assert all(n["diagnoses"] in ([], ["[gallrad]"]) and n["description"] in ("", "[gallrad]") for n in needs)
    # Two years after every period: every decided verksamhetsstöd case's words are gone; the CSI
    # requests hold none; what is left to come is the removal of each whole case after ten years.
    later = json.loads(ok(run("gallra", "--on", "2032-01-01", "--db", prev_db, "--json")).output)
    assert len(later["removed"]) == 20 and later["already_removed"] == 4 and later["not_yet_due"] == 24
    assert {d["rule"] for d in later["removed"]} == {"DHP-GALLRING-1"}
    assert json.loads(ok(run("audit", "verify", "--db", prev_db, "--json")).output)["ok"] is True
    replay = json.loads(run("replay", "--all", "--db", prev_db, "--json").output)
    assert replay["replayed"] == 45 and replay["differing"] == 0 and replay["not_replayable"] == 0, replay
    with sqlite3.connect(prev_db) as conn:
        texts = " ".join(r[0] for r in conn.execute("SELECT CAST(raw AS TEXT) FROM applications a JOIN cases c "
                                                      "ON a.case_id = c.id WHERE c.kind = 'verksamhetsstod'"))
    from stod.services.demo_data import DIAGNOSES

    assert not any(d in texts for d in DIAGNOSES)
    # Ten years after: the verksamhetsstöd cases go whole; the history still verifies.
    last = json.loads(ok(run("gallra", "--on", "2040-01-01", "--db", prev_db, "--json")).output)
    assert len(last["removed"]) == 24 and {d["rule"] for d in last["removed"]} == {"DHP-GALLRING-2"}
    verify = json.loads(ok(run("audit", "verify", "--db", prev_db, "--json")).output)
    assert verify["ok"] is True and verify["cases"] == 16  # the CSI cases
    with sqlite3.connect(prev_db) as conn:
        assert conn.execute("SELECT count(*) FROM removed_cases").fetchone()[0] == 24
        for table in ("applications", "decisions", "events"):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE case_id IN (SELECT case_id FROM removed_cases)"
                                ).fetchone()[0] == 0
    refused(run("show", "1", "--db", prev_db), "inget ärende")
    replay = json.loads(run("replay", "--all", "--db", prev_db, "--json").output)
    assert replay["differing"] == 0 and replay["not_replayable"] == 0
    assert json.loads(ok(run("gallra", "--on", "2040-01-01", "--db", prev_db, "--json")).output)["removed"] == []
    # The id of a removed case stays used: the ledger keeps that case's history under it.
    with sqlite3.connect(prev_db) as conn:
        app_id = conn.execute("SELECT application_id FROM removed_cases WHERE case_id = 1").fetchone()[0]
    again = CONTRACT / "verksamhetsstod" / "VS-EX-01.json"
    raw = json.loads(again.read_text(encoding="utf-8"))
    resubmitted = prev_db.parent / "igen.json"
    resubmitted.write_text(json.dumps({**raw, "application_id": app_id}), encoding="utf-8")
    result = run("submit", resubmitted, "--db", prev_db, "--date", "2026-12-20")
    assert result.exit_code == 2 and "gallrades" in result.output and "nytt id" in result.output, result.output
    # In one chunk with a new application: the removed id is refused, the new one stored.
    fresh = prev_db.parent / "ny.json"
    fresh.write_text(json.dumps({**raw, "application_id": "VS-NY-EFTER-GALLRING"}), encoding="utf-8")
    both = run("submit", resubmitted, fresh, "--db", prev_db, "--date", "2026-12-20", "--json")
    assert both.exit_code == 2, both.output
    first, second = json.loads(both.stdout)
    assert not first["ok"] and "gallrades" in first["error"] and second["ok"] and second["created"]


def _removed_case(prev_db: Path, run) -> None:
    ok(run("db", "upgrade", "--db", prev_db))
    ok(run("gallra", "--on", "2040-01-01", "--db", prev_db))
    assert json.loads(ok(run("audit", "verify", "--db", prev_db, "--json")).output)["ok"] is True


def test_a_removal_record_edited_afterwards_is_found(run, prev_db):
    _removed_case(prev_db, run)
    with sqlite3.connect(prev_db) as conn:
        conn.execute("UPDATE removed_cases SET removed_on = '2039-01-01' WHERE case_id = 1")
    result = run("audit", "verify", "--db", prev_db)
    assert result.exit_code == 1 and "gallringsposten för ärendet är ändrad" in result.output


def test_a_case_deleted_by_hand_with_a_forged_removal_record_is_found(run, prev_db):
    """Deleting a case and writing a removal record without going through gallring is named."""
    from cases.removed import RemovedCase, removal_hash

    ok(run("db", "upgrade", "--db", prev_db))
    with sqlite3.connect(prev_db) as conn:
        app_id, count, head = conn.execute("SELECT application_id, event_count, event_head FROM cases WHERE id = 2"
                                           ).fetchone()
        row = RemovedCase(application_id=app_id, case_id=2, kind="verksamhetsstod", rule="DHP-GALLRING-2",
                          removed_on="2026-12-01", due_on="2026-12-01", event_count=count, event_head=head, hash="")
        conn.execute("INSERT INTO removed_cases VALUES (?, 2, 'verksamhetsstod', 'DHP-GALLRING-2', '2026-12-01', "
                     "'2026-12-01', ?, ?, ?)", (app_id, count, head, removal_hash(row)))
        conn.execute("PRAGMA foreign_keys=OFF")
        for table in ("findings WHERE decision_id IN (SELECT id FROM decisions WHERE case_id = 2)",
                      "decisions WHERE case_id = 2", "applications WHERE case_id = 2", "events WHERE case_id = 2",
                      "cases WHERE id = 2"):
            conn.execute(f"DELETE FROM {table}")
    result = run("audit", "verify", "--db", prev_db)
    assert result.exit_code == 1 and "gallringen av ärendet finns inte i huvudkedjan" in result.output


def test_a_dry_run_does_not_upgrade_an_old_store(run, prev_db):
    before = digest(prev_db)
    refused(run("gallra", "--dry-run", "--on", "2028-06-01", "--db", prev_db), "schemaversion 3", "stod db upgrade")
    assert digest(prev_db) == before


def test_an_interrupted_run_keeps_what_it_did_and_the_next_run_does_the_rest(run, prev_db, monkeypatch):
    from cases import retention

    ok(run("db", "upgrade", "--db", prev_db))
    real, calls = retention.remove, []

    def dies_on_the_third(session, case_id, on, rule):
        calls.append(case_id)
        if len(calls) == 3:
            real(session, case_id, on, rule)  # written in the transaction, then the process "dies"
            raise KeyboardInterrupt
        return real(session, case_id, on, rule)

    monkeypatch.setattr(retention, "remove", dies_on_the_third)
    assert run("gallra", "--on", "2028-06-01", "--db", prev_db).exit_code != 0
    monkeypatch.setattr(retention, "remove", real)
    with sqlite3.connect(prev_db) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE type = 'gallring'").fetchone()[0] == 2
    assert json.loads(ok(run("audit", "verify", "--db", prev_db, "--json")).output)["ok"] is True
    rest = json.loads(ok(run("gallra", "--on", "2028-06-01", "--db", prev_db, "--json")).output)
    assert [d["case_id"] for d in rest["removed"]] == [4, 5] and rest["already_removed"] == 2
    assert json.loads(ok(run("audit", "verify", "--db", prev_db, "--json")).output)["ok"] is True


def test_a_forged_removal_is_found(run, prev_db):
    """Changing an application and recording it as gallring by hand breaks the chain."""
    ok(run("db", "upgrade", "--db", prev_db))
    ok(run("gallra", "--on", "2028-06-01", "--db", prev_db))
    with sqlite3.connect(prev_db) as conn:
        payload = json.loads(conn.execute("SELECT payload FROM events WHERE type = 'gallring' AND case_id = 1")
                             .fetchone()[0])
        payload["revisions"][0]["sha256_before"] = "0" * 64
        conn.execute("UPDATE events SET payload = ? WHERE type = 'gallring' AND case_id = 1", (json.dumps(payload),))
    result = run("audit", "verify", "--db", prev_db)
    assert result.exit_code == 1 and "gallring" in result.output


def test_gallra_refuses_a_day_ahead_of_today_but_shows_it_with_dry_run(run, prev_db, monkeypatch):
    from stod import cmd_db

    monkeypatch.setattr(cmd_db, "_today", lambda: date(2027, 1, 1))
    before = digest(prev_db)
    refused(run("gallra", "--on", "2035-01-01", "--db", prev_db), "--on", "efter dagens datum 2027-01-01", "--dry-run")
    assert digest(prev_db) == before
    ok(run("db", "upgrade", "--db", prev_db))
    ok(run("gallra", "--dry-run", "--on", "2035-01-01", "--db", prev_db))


def test_gallra_refuses_bad_input(run, prev_db):
    refused(run("gallra", "--on", "igår", "--db", prev_db), "--on", "ÅÅÅÅ-MM-DD")
    refused(run("gallra", "--on", "1999-01-01", "--db", prev_db), "--on")
    refused(run("gallra", "--dry-run", "--db", run.tmp / "saknas.db"), "ingen databas")
    assert not (run.tmp / "saknas.db").exists()


def test_the_plan_comes_from_the_rules_folder(run, prev_db, tmp_path, monkeypatch):
    """Periods are data: a city that keeps its plan in its own rules folder changes them there."""
    ok(run("db", "upgrade", "--db", prev_db))
    root = Path(__file__).resolve().parent.parent / "rules"
    rules = tmp_path / "regler"
    shutil.copytree(root, rules)
    plan = rules / "retention" / "dokumenthanteringsplan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("years_after: 2", "years_after: 5"), encoding="utf-8")
    monkeypatch.setenv("STOD_RULES_DIR", str(rules))
    dry = json.loads(ok(run("gallra", "--dry-run", "--on", "2028-06-01", "--db", prev_db, "--json")).output)
    assert dry["due"] == [] and dry["plan"][0]["years_after"] == 5
    plan.write_text("values: [inte, en, plan]", encoding="utf-8")
    refused(run("gallra", "--dry-run", "--on", "2028-06-01", "--db", prev_db), "dokumenthanteringsplanen")


# -- PostgreSQL: pg_dump / pg_restore, and the previous release's dump ---------------------------------


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).is_file():
            return str(folder / name)
    pytest.skip(f"{name} is not installed")


@pytest.fixture
def pg_database():
    """A fresh database on the test server, dropped afterwards: yields a function making more."""
    if not PG_URL:
        pytest.skip("STOD_TEST_PG_URL is not set (start one with .ci/pg.sh start)")
    admin = create_engine(resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    made = []

    def make() -> str:
        name = f"stod_t_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(resolve_url(PG_URL)).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _libpq(url: str) -> str:
    """The URL as pg_dump and psql take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.usefixtures("decided_late")
def test_pg_dump_and_pg_restore_procedure(run, pg_database, tmp_path):
    """docs/operations.md: pg_dump -Fc, pg_restore into a fresh database, stod audit verify there."""
    source, target = pg_database(), pg_database()
    for name in ("VS-EX-01.json", "VS-EX-02.json", "VS-EX-08.json"):
        ok(run("submit", CONTRACT / "verksamhetsstod" / name, "--db", source, "--date", "2026-12-20"))
    ok(run("decide", "VS-EX-01", "--confirm", "--by", "Anna Lindqvist", "--db", source, "--date", "2026-12-21"))
    dump = tmp_path / "stod.dump"
    subprocess.run([_pg_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), _libpq(source)],
                   check=True, capture_output=True)
    subprocess.run([_pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", _libpq(target), str(dump)],
                   check=True, capture_output=True)
    verify = json.loads(ok(run("audit", "verify", "--db", target, "--json")).output)
    assert verify["ok"] is True and verify["cases"] == 3
    ok(run("db", "status", "--db", target))
    replay = json.loads(run("replay", "--all", "--db", target, "--json").output)
    assert replay["replayed"] >= 3 and replay["differing"] == 0


def test_upgrade_of_the_previous_release_on_postgresql(run, pg_database):
    url = pg_database()
    subprocess.run([_pg_bin("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", _libpq(url)],
                   input=gzip.decompress(PREV_PG.read_bytes()), check=True, capture_output=True)
    status = run("db", "status", "--db", url, "--json")
    assert status.exit_code == 1 and json.loads(status.output)["schema_version"] == 3
    report = json.loads(ok(run("db", "upgrade", "--db", url, "--json")).output)
    assert report["status"]["current"] is True and "0003_ledger" in report["applied"]
    assert json.loads(ok(run("db", "upgrade", "--db", url, "--json")).output)["applied"] == []
    assert json.loads(ok(run("audit", "verify", "--db", url, "--json")).output)["ok"] is True
    replay = json.loads(run("replay", "--all", "--db", url, "--json").output)
    assert replay["replayed"] == 45 and replay["differing"] == 0 and replay["not_replayable"] == 0, replay
    ok(run("gallra", "--on", "2028-06-01", "--db", url))
    assert json.loads(ok(run("audit", "verify", "--db", url, "--json")).output)["ok"] is True
    replay = json.loads(run("replay", "--all", "--db", url, "--json").output)
    assert replay["differing"] == 0 and replay["not_replayable"] == 0


def test_a_view_after_gallring_is_no_view_of_diagnoses():
    """The web's access log records views that showed diagnoses; after gallring there are none to show."""
    from stod.web.services import shows_diagnoses

    def view(diagnoses):
        return {"applications": [{"raw": {"need": {"diagnoses": diagnoses}}}]}

    assert shows_diagnoses(view(["autism"])) and not shows_diagnoses(view(["[gallrad]"]))
    assert not shows_diagnoses(view("[dold: visas bara för handläggare]"))
