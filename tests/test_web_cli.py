"""stod users, stod tokens and stod serve: accounts and tokens from the command line, a served app."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases import accounts
from cases.store import open_store
from stod.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_users_add_hashes_the_password_and_refuses_bad_input(tmp_path):
    db = str(tmp_path / "stod.db")
    done = run("users", "add", "anna", "--role", "handlaggare", "--full-name", "Anna Lindqvist", "--password-stdin",
               "--db", db, input="ett långt lösenord\n")
    assert done.exit_code == 0, done.output
    assert "Konto anna (handläggare, Anna Lindqvist) skapat." in done.output
    [user] = accounts.list_users(open_store(db))
    assert user.password_hash.startswith("$argon2") and "ett långt lösenord" not in user.password_hash
    for args, stdin, message in (
        (["users", "add", "b", "--role", "rektor"], None, "--password-stdin"),
        (["users", "add", "b", "--role", "rektor", "--password-stdin"], "ett långt lösenord\n", "minst en skolenhet"),
        (["users", "add", "b", "--role", "rektor", "--school", "123", "--password-stdin"], "ett långt lösenord\n",
         "inte en skolenhetskod"),
        (["users", "add", "b", "--role", "revisor", "--school", "41177203", "--password-stdin"], "ett långt lösenord\n",
         "bara en rektor"),
        (["users", "add", "b", "--role", "revisor", "--password-stdin"], "kort\n", "för kort"),
        (["users", "add", "anna", "--role", "revisor", "--password-stdin"], "ett långt lösenord\n", "finns redan"),
    ):
        result = run(*args, "--db", db, input=stdin)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert [u.username for u in accounts.list_users(open_store(db))] == ["anna"]  # nothing half-stored
    listed = run("users", "list", "--db", db)
    assert listed.exit_code == 0 and "anna\thandläggare\tAnna Lindqvist\talla skolor" in listed.output


def test_tokens_are_printed_once_as_the_last_line_and_revocable(tmp_path):
    db = str(tmp_path / "stod.db")
    added = run("tokens", "add", "e-tjansten", "--school", "41177203", "--db", db)
    assert added.exit_code == 0
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("stod_") and len(token) > 40
    principal = accounts.token_principal(open_store(db), token)
    assert principal.role == "e-tjanst" and principal.schools == ("41177203",)
    listed = run("tokens", "list", "--db", db)
    assert token not in listed.output and "1\te-tjansten\t41177203\tgiltig" in listed.output
    assert run("tokens", "revoke", "e-tjansten", "--db", db).exit_code == 0
    assert accounts.token_principal(open_store(db), token) is None
    again = run("tokens", "revoke", "e-tjansten", "--db", db)
    assert again.exit_code == 2 and "ingen giltig token" in again.output


def test_read_only_commands_and_serve_create_no_database(tmp_path):
    missing = tmp_path / "finns-inte.db"
    for args in (["users", "list"], ["tokens", "list"], ["tokens", "revoke", "1"], ["serve"]):
        result = run(*args, "--db", str(missing))
        assert result.exit_code == 2 and "ingen databas på" in result.output, (args, result.output)
    assert not missing.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_stod_serve_serves_the_pages_and_the_api(tmp_path, workers):
    """With one worker and with two (uvicorn's supervisor stops its workers on SIGTERM, each
    closing its store through the app's shutdown)."""
    db = tmp_path / "stod.db"
    open_store(str(db)).dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stod = Path(sys.executable).with_name("stod")
    process = subprocess.Popen([str(stod), "serve", "--db", str(db), "--port", str(port), "--demo",
                                "--workers", workers],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                page = urllib.request.urlopen(base + "/logga-in", timeout=1).read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.1)
        assert 'lang="sv"' in page and "Logga in" in page
        try:
            urllib.request.urlopen(base + "/api/v1/rules", timeout=2)
            raise AssertionError("the API answered without authentication")
        except urllib.error.HTTPError as error:
            assert error.code == 401
        assert "/check" in urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read().decode()
        for _ in range(4):  # a token looked up in the store: each worker that answers opens it
            try:
                urllib.request.urlopen(urllib.request.Request(base + "/api/v1/rules",
                                                              headers={"Authorization": "Bearer stod_okand"}), timeout=2)
                raise AssertionError("the API answered an unknown token")
            except urllib.error.HTTPError as error:
                assert error.code == 401
        assert (tmp_path / "stod.db-wal").exists()  # open while it serves
    finally:
        process.terminate()  # SIGTERM, as systemd and docker stop a service
        output = process.communicate(timeout=10)[0]
    assert "demokonto: handlaggare / handlaggare-demo-2026 (handläggare)" in output
    assert f"http://127.0.0.1:{port}/" in output
    # Stopped as Ctrl-C stops it: exit 0, the store closed (SQLite wrote its log back and removed it).
    assert process.returncode == 0, output
    assert sorted(p.name for p in tmp_path.glob("stod.db*")) == ["stod.db"], output
