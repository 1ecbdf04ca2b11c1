"""Tampering that the per-case event chains alone did not catch (issue 10, "Tampering").

Each test edits the SQLite store behind the system's back the way the issue's probe did,
then runs ``stod audit verify`` (and ``--anchor`` for a rewrite that recomputes every hash)
and asserts exit 1 with the case and what changed named. ``TAMPER_KINDS`` lists them all;
``test_every_tamper_kind_is_detected`` is the figure the issue asks for.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from click.testing import CliRunner

from stod.cli import main
from stod.common import console
from test_audit import build_store

KEY = "test-anchor-key-not-in-the-database"


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    monkeypatch.delenv("STOD_DATABASE_URL", raising=False)
    monkeypatch.setenv("STOD_ANCHOR_KEY", KEY)
    monkeypatch.setattr(console, "width", 300)
    path = tmp_path / "tamper.db"
    build_store(path).dispose()
    return path


def verify(path, *extra):
    return CliRunner().invoke(main, ["audit", "verify", "--db", str(path), *extra])


def sql(path, *statements):
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)


def decided_case(path) -> tuple[int, str]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, application_id FROM cases WHERE status='beslutad' ORDER BY id").fetchone()


def app_of(conn, case_id: int) -> str:
    return conn.execute(f"SELECT application_id FROM cases WHERE id={case_id}").fetchone()[0]


def assert_detected(result, *words):
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    for word in words:
        assert word in flat, f"{word!r} not in: {flat}"


def test_untouched_store_verifies(store_path):
    result = verify(store_path)
    assert result.exit_code == 0, result.output
    assert "hela" in result.output


# -- the tamper kinds ----------------------------------------------------------------------


def _edit_decided_case(path, assignments: str, word: str):
    case_id, app = decided_case(path)
    sql(path, f"UPDATE cases SET {assignments} WHERE id={case_id}")
    return app, word


def tamper_status(path):
    return _edit_decided_case(path, "status='forslag'", "status")


def tamper_received(path):
    return _edit_decided_case(path, "received='2026-12-30'", "received")


def tamper_school(path):
    return _edit_decided_case(path, "school_name='Annan skola', school_unit_code='99999999'", "school_name")


def tamper_district(path):
    return _edit_decided_case(path, "district='Bromma'", "district")


def tamper_delete_case(path):
    case_id, app = decided_case(path)
    sql(path, "PRAGMA foreign_keys=OFF",
        f"DELETE FROM findings WHERE decision_id IN (SELECT id FROM decisions WHERE case_id={case_id})",
        f"DELETE FROM decisions WHERE case_id={case_id}", f"DELETE FROM events WHERE case_id={case_id}",
        f"DELETE FROM applications WHERE case_id={case_id}", f"DELETE FROM cases WHERE id={case_id}")
    return app, "borttaget"


def tamper_roll_back_completion(path):
    """Delete the last completion_requested event and roll the case head back to the event before."""
    with sqlite3.connect(path) as conn:
        case_id, seq = conn.execute("SELECT case_id, max(seq) FROM events WHERE type='completion_requested' "
                                    "GROUP BY case_id ORDER BY case_id").fetchone()
        app = app_of(conn, case_id)
        last = conn.execute(f"SELECT max(seq) FROM events WHERE case_id={case_id}").fetchone()[0]
        conn.execute(f"DELETE FROM events WHERE case_id={case_id} AND seq>={seq}")
        head = conn.execute(f"SELECT hash FROM events WHERE case_id={case_id} AND seq={seq - 1}").fetchone()[0]
        conn.execute(f"UPDATE cases SET event_head='{head}', event_count={seq - 1} WHERE id={case_id}")
    assert last >= seq
    return app, "borttagen"


def tamper_letter(path):
    with sqlite3.connect(path) as conn:
        case_id, decision_id = conn.execute("SELECT case_id, id FROM decisions WHERE kind='decision'").fetchone()
        conn.execute(f"UPDATE decisions SET text = text || ' Tillägg.' WHERE id={decision_id}")
        return app_of(conn, case_id), "beslutstexten"


def tamper_override_reason(path):
    with sqlite3.connect(path) as conn:
        case_id = conn.execute("SELECT case_id FROM decisions WHERE override_reason IS NOT NULL").fetchone()[0]
        app = app_of(conn, case_id)
        conn.execute("UPDATE decisions SET override_reason='Annat skäl.' WHERE override_reason IS NOT NULL")
    return app, "motiveringen"


def tamper_findings(path):
    with sqlite3.connect(path) as conn:
        decision_id, case_id = conn.execute("SELECT id, case_id FROM decisions WHERE kind='proposal' ORDER BY id"
                                            ).fetchone()
        app = app_of(conn, case_id)
        conn.execute(f"UPDATE findings SET text='Uppfylld.' WHERE decision_id={decision_id}")
    return app, "findings"


def tamper_ruleset_copy(path):
    sql(path, "UPDATE ruleset_versions SET files = replace(files, '28', '280')")
    return "regelverk", "regelfilerna är ändrade"


def _recompute_everything(path, case_id):
    """Rewrite one event and recompute its case chain and the city-wide chain (unkeyed hashes)."""
    from cases.events import chain_hash, event_content
    from cases.ledger import GENESIS, entry_hash

    with sqlite3.connect(path) as conn:
        app = app_of(conn, case_id)
        rows = conn.execute(f"SELECT id, seq, type, actor, at, payload FROM events WHERE case_id={case_id} "
                            "ORDER BY seq").fetchall()
        prev = hashlib.sha256(f"stodbeslut:case:{app}".encode()).hexdigest()
        from datetime import datetime

        for row_id, seq, type_, actor, at, payload in rows:
            payload = json.loads(payload)
            if seq == 1:
                actor = "Någon Annan"  # who received the application, rewritten
            digest = chain_hash(prev, event_content(app, seq, type_, actor, datetime.fromisoformat(at), payload))
            conn.execute("UPDATE events SET actor=?, prev_hash=?, hash=? WHERE id=?", (actor, prev, digest, row_id))
            prev = digest
        conn.execute("UPDATE cases SET event_head=? WHERE id=?", (prev, case_id))
        hashes = {(a, s): h for a, s, h in conn.execute(
            "SELECT c.application_id, e.seq, e.hash FROM events e JOIN cases c ON c.id=e.case_id")}
        prev = GENESIS
        for seq, a, event_seq in conn.execute("SELECT seq, application_id, event_seq FROM ledger ORDER BY seq").fetchall():
            event_hash = hashes[(a, event_seq)]
            digest = entry_hash(prev, seq, a, event_seq, event_hash)
            conn.execute("UPDATE ledger SET event_hash=?, prev_hash=?, hash=? WHERE seq=?", (event_hash, prev, digest, seq))
            prev = digest
    return app


TAMPER_KINDS = {
    "status": tamper_status,
    "received": tamper_received,
    "school": tamper_school,
    "district": tamper_district,
    "delete_case": tamper_delete_case,
    "roll_back_completion": tamper_roll_back_completion,
    "letter": tamper_letter,
    "override_reason": tamper_override_reason,
    "findings": tamper_findings,
    "ruleset_copy": tamper_ruleset_copy,
}


@pytest.mark.parametrize("kind", sorted(TAMPER_KINDS))
def test_tamper_is_detected(store_path, kind):
    app, words = TAMPER_KINDS[kind](store_path)
    assert_detected(verify(store_path), app, words)


def test_status_reset_then_second_decision_is_detected(store_path):
    """The probe's attack: status back to forslag on a decided case, then a contradicting decision."""
    from cases import workflow
    from cases.store import open_store

    case_id, app = decided_case(store_path)
    sql(store_path, f"UPDATE cases SET status='forslag' WHERE id={case_id}")
    store = open_store(str(store_path))
    try:
        workflow.override(store, case_id, outcome="avslag", reason_code="FELAKTIGA_UPPGIFTER",
                          reason="Andra beslutet.", by="Mallory")
    except Exception:  # refused is fine too; what matters is that verify names it
        pass
    finally:
        store.dispose()
    assert_detected(verify(store_path), app, "beslutat utan nytt förslag")


def test_recomputed_chain_is_caught_by_the_anchor(store_path, tmp_path):
    anchor = tmp_path / "ankare.json"
    made = CliRunner().invoke(main, ["audit", "anchor", str(anchor), "--db", str(store_path)])
    assert made.exit_code == 0, made.output
    before = verify(store_path, "--anchor", str(anchor))
    assert before.exit_code == 0 and "Ankaret stämmer" in before.output, before.output
    case_id, app = decided_case(store_path)
    _recompute_everything(store_path, case_id)
    assert verify(store_path).exit_code == 0, "a full recompute is invisible without the anchor"
    assert_detected(verify(store_path, "--anchor", str(anchor)), "omskriven")


def test_anchor_needs_the_key_and_a_wrong_key_fails(store_path, tmp_path, monkeypatch):
    anchor = tmp_path / "ankare.json"
    assert CliRunner().invoke(main, ["audit", "anchor", str(anchor), "--db", str(store_path)]).exit_code == 0
    monkeypatch.setenv("STOD_ANCHOR_KEY", "another key")
    assert_detected(verify(store_path, "--anchor", str(anchor)), "signatur")
    monkeypatch.delenv("STOD_ANCHOR_KEY")
    missing = CliRunner().invoke(main, ["audit", "verify", "--db", str(store_path), "--anchor", str(anchor)])
    assert missing.exit_code == 2 and "STOD_ANCHOR_KEY" in missing.output


def test_anchor_key_from_a_file(store_path, tmp_path, monkeypatch):
    key_file = tmp_path / "ankare.key"
    key_file.write_text("key from a file, at least 32 bytes long\n")
    monkeypatch.delenv("STOD_ANCHOR_KEY")
    monkeypatch.setenv("STOD_ANCHOR_KEY_FILE", str(key_file))
    anchor = tmp_path / "ankare.json"
    assert CliRunner().invoke(main, ["audit", "anchor", str(anchor), "--db", str(store_path)]).exit_code == 0
    assert verify(store_path, "--anchor", str(anchor)).exit_code == 0


def test_truncated_ledger_is_caught_by_the_anchor(store_path, tmp_path):
    anchor = tmp_path / "ankare.json"
    CliRunner().invoke(main, ["audit", "anchor", str(anchor), "--db", str(store_path)])
    sql(store_path, "DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)")
    assert_detected(verify(store_path, "--anchor", str(anchor)), "avkortad")


def test_show_json_gives_no_unkeyed_hash_to_a_role_that_may_not_see_diagnoses(store_path):
    for role in (None, "rektor", "revisor"):
        args = ["show", "1", "--json", "--db", str(store_path)] + (["--role", role] if role else [])
        out = CliRunner().invoke(main, args)
        assert out.exit_code == 0, out.output
        view = json.loads(out.output)
        assert all("sha256" not in a for a in view["applications"])
        assert all("sha256" not in (e["payload"] or {}) for e in view["events"])
    full = json.loads(CliRunner().invoke(main, ["show", "1", "--json", "--role", "handlaggare", "--db",
                                                str(store_path)]).output)
    assert all("sha256" in a for a in full["applications"])


def test_every_tamper_kind_is_detected(store_path, tmp_path):
    """The figure the issue asks for: tamper kinds tried and detected (each on a fresh store)."""
    detected = []
    for kind, tamper in sorted(TAMPER_KINDS.items()):
        path = tmp_path / f"{kind}.db"
        path.write_bytes(store_path.read_bytes())
        app, words = tamper(path)
        result = verify(path)
        if result.exit_code == 1 and app in result.output and words in " ".join(result.output.split()):
            detected.append(kind)
    print(f"\ntamper kinds detected: {len(detected)} of {len(TAMPER_KINDS)} (+ recomputed chain via --anchor)")
    assert detected == sorted(TAMPER_KINDS)


def test_a_store_from_before_the_ledger_gets_it_on_open(store_path):
    """Migration 0003_ledger enters the events already stored, in the order they were written."""
    sql(store_path, "DROP TABLE ledger", "DELETE FROM migrations WHERE name='0003_ledger'")
    result = verify(store_path)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store_path) as conn:
        entries = conn.execute("SELECT count(*) FROM ledger").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert entries == events > 0
    tamper_delete_case(store_path)
    assert verify(store_path).exit_code == 1
