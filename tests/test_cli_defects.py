"""A tester's findings on the command line: each refused in Swedish, exit 2, nothing created, no
traceback, no personnummer echoed; the rest answered as the other commands answer.

1. a database URL of another kind (MySQL, Oracle, an unknown scheme) and a password that is not
   UTF-8 text; 2. a personnummer in a token reference and in the name of an output file; 3. English
   messages (replay, a bad configuration file, the anchor key file and the anchor file); 4. the
   anchor file overwritten and a short anchor key; 5. user names that look alike; 6. a closed pipe;
   7. number agreement in `stod schools import`.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases import accounts
from cases.errors import InputRefused
from cases.store import open_store
from engine.sensitive import output_name_problem
from stod.cli import main
from stod.common import console, err_console

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "contract" / "verksamhetsstod" / "VS-EX-01.json"
KEY = "k" * 40  # an anchor key long enough to sign with
PNR_PATHS = ("e-121212-1212", "e-191212121212", "e-121272-1212")  # the last a samordningsnummer


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("STOD_DATABASE_URL", "STOD_CONFIG", "STOD_ANCHOR_KEY", "STOD_ANCHOR_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(console, "width", 200)
    monkeypatch.setattr(err_console, "width", 200)
    runner = CliRunner()

    def call(*args, input=None, **env):
        return runner.invoke(main, [str(a) for a in args], input=input, env=env or None)

    call.tmp = tmp_path
    return call


def refused(result, *needles: str) -> str:
    """The refusal's text, after checking it is one: exit 2, one Swedish line per problem, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, (needle, result.output)
    return result.output


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def empty_store(path: Path) -> str:
    open_store(str(path)).dispose()
    return str(path)


# -- 1. another database, a password that is not text -----------------------------------------


SUPPORTED = "stödjer bara SQLite-filer och PostgreSQL (postgresql://…)"


@pytest.mark.parametrize("url", ["mysql://x", "oracle://x", "foo://bar", "mssql+pyodbc://u@h/db",
                                 "postgresql+psycopg2://u@h/db"])
def test_a_database_url_of_another_kind_is_refused_in_swedish(run, url):
    queue = refused(run("queue", "--db", url), f"fel: --db: {SUPPORTED}")
    assert "Can't load plugin" not in queue and "ModuleNotFound" not in queue
    refused(run("submit", str(CONTRACT), "--db", url), f"fel: --db: {SUPPORTED}")
    refused(run("queue", STOD_DATABASE_URL=url), f"fel: STOD_DATABASE_URL: {SUPPORTED}")
    refused(run("submit", str(CONTRACT), STOD_DATABASE_URL=url), f"fel: STOD_DATABASE_URL: {SUPPORTED}")
    assert files_in(run.tmp) == []


def test_a_database_url_is_shown_without_its_password_or_a_personnummer(run):
    out = refused(run("queue", "--db", "mysql://anna:hemligt@db.example/elev-19121212-1212"), SUPPORTED)
    assert "hemligt" not in out and "121212" not in out


def _stod(*args, stdin: bytes = b"", **env) -> subprocess.CompletedProcess:
    """The installed command itself (``cli.run``: what decodes standard input is set up there)."""
    return subprocess.run([sys.executable, "-m", "stod", *args], input=stdin, capture_output=True, timeout=120,
                          env={**os.environ, "STOD_DATABASE_URL": "", **env})


@pytest.mark.parametrize("encoding", ["", "utf-8:strict"])  # the C locale's way, and a UTF-8 locale's
def test_a_password_that_is_not_utf8_is_refused_and_never_echoed(tmp_path, encoding):
    db = tmp_path / "w.db"
    done = _stod("users", "add", "hh3", "--role", "handlaggare", "--password-stdin", "--db", str(db),
                 stdin=b"\xff\xfe l\xc3\xb6senord som \xc3\xa4r l\xc3\xa5ngt\n", PYTHONIOENCODING=encoding)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert err.startswith("fel: lösenord: ") and "UTF-8" in err and "Traceback" not in err
    assert "senord som" not in err and "\ufffd" not in err
    if db.exists():  # (stod users add opens the store before it reads the password)
        assert accounts.list_users(open_store(str(db))) == []


def test_a_login_with_a_password_that_is_not_text_is_refused_not_a_fault(tmp_path):
    store = open_store(str(tmp_path / "l.db"))
    accounts.add_user(store, "anna", "handlaggare", "ett långt lösenord")
    for name in ("anna", "okand"):
        with pytest.raises(accounts.LoginRefused):
            accounts.login(store, name, "\udcff\udcfe långt lösenord", "127.0.0.1", 1)
    with pytest.raises(InputRefused) as not_text:
        accounts.add_user(store, "berit", "handlaggare", "\udcff\udcfe långt lösenord")
    assert not_text.value.field == "lösenord" and "långt" not in str(not_text.value)
    store.dispose()


# -- 2. a personnummer in a token reference or in an output file's name -----------------------


@pytest.mark.parametrize("ref", ["19121212-1212", "1212121212", "121212-1212", "token 19121212-1212"])
def test_tokens_revoke_never_echoes_a_personnummer(run, ref):
    db = str(run.tmp / "t.db")
    assert run("tokens", "add", "e-tjansten", "--db", db).exit_code == 0
    out = refused(run("tokens", "revoke", ref, "--db", db), "ingen giltig token")
    assert "121212" not in out and "(visas inte" in out


def test_tokens_revoke_of_a_number_beyond_any_row_is_not_found(run):
    db = str(run.tmp / "t.db")
    assert run("tokens", "add", "e-tjansten", "--db", db).exit_code == 0
    refused(run("tokens", "revoke", "99999999999999", "--db", db), "ingen giltig token med nummer eller namn "
                                                                    "'99999999999999'")


def test_the_one_output_name_check():
    for path in PNR_PATHS + ("o/19121212-1212/x.html", "o/x\udcff.html"):
        assert "personnummer" in output_name_problem(path)
        assert "121212" not in output_name_problem(path)
    assert output_name_problem("o/uppfoljning-2026-03-31.xlsx") is None
    assert "till exempel regelbok" in output_name_problem("121212-1212", "regelbok")


OUTPUT_COMMANDS = [
    (["equity", "--html", "o/{name}.html"], "--html", ".html"),
    (["equity", "--xlsx", "o/{name}.xlsx"], "--xlsx", ".xlsx"),
    (["skolblad", "41177203", "--out", "o/{name}.html"], "--out", ".html"),
    (["rulebook", "--out", "o/{name}"], "--out", ""),
    (["audit", "anchor", "o/{name}.json"], "FILE", ".json"),
    (["letter", "--file", str(CONTRACT), "--pdf", "o/{name}.pdf"], "--pdf", ".pdf"),
    (["letter", "--file", str(CONTRACT), "--html", "o/{name}.html"], "--html", ".html"),
    (["letter", "1", "--html", "o/{name}.html"], "--html", ".html"),
    (["coverage", "--html", "o/{name}.html"], "--html", ".html"),
]


@pytest.mark.parametrize("args, option, suffix", OUTPUT_COMMANDS, ids=[" ".join(c[0][:2]) for c in OUTPUT_COMMANDS])
@pytest.mark.parametrize("name", PNR_PATHS)
def test_an_output_file_named_with_a_personnummer_is_refused_and_never_created(run, args, option, suffix, name):
    (run.tmp / "o").mkdir()
    out = refused(run(*[a.format(name=name) for a in args], STOD_ANCHOR_KEY=KEY),
                  f"fel: {option}: filnamnet får inte innehålla ett personnummer eller samordningsnummer; "
                  "välj ett namn utan det (till exempel ")
    assert "121212" not in out and "121272" not in out
    assert files_in(run.tmp / "o") == [] and files_in(run.tmp) == ["o"]  # no file, no folder, no database


def test_output_files_with_other_names_are_written_and_named(run):
    (run.tmp / "o").mkdir()
    letter = run("letter", "--file", CONTRACT, "--html", "o/beslut-2026-03-31.html")
    assert letter.exit_code == 0, letter.output
    assert "skrev o/beslut-2026-03-31.html" in letter.output and files_in(run.tmp / "o") == ["beslut-2026-03-31.html"]


# -- 3. Swedish where English was ---------------------------------------------------------------


def test_replay_without_a_case_or_with_both_is_answered_in_swedish(run):
    db = empty_store(run.tmp / "r.db")
    refused(run("replay", "--db", db), "fel: CASE eller --all: ange ett ärende (nummer eller ansöknings-id) "
                                       "eller --all", "stod replay --all")
    refused(run("replay", "1", "--all", "--db", db), "inte båda")


@pytest.mark.parametrize("text, where", [(b"database_url /var/stod.db\n", "fel på rad 1, tecken 14"),
                                         (b'database_url = "/var/stod.db\n', "rad 1"),
                                         (b"log_level = \n", "rad 1"),
                                         (b'database_url = "a"\ndatabase_url = "b"\n', "fel"),
                                         (b"\xff = 1\n", "UTF-8")])
def test_a_configuration_file_that_is_not_toml_is_answered_in_swedish(run, text, where):
    (run.tmp / "stod.toml").write_bytes(text)
    out = refused(run("queue", STOD_CONFIG="stod.toml"), "fel: STOD_CONFIG: konfigurationsfilen stod.toml ", where)
    assert "Expected" not in out and "Invalid" not in out and "Cannot" not in out and "codec" not in out


def test_a_configuration_value_of_the_wrong_kind_is_named_in_swedish(run):
    (run.tmp / "stod.toml").write_text('database_url = ["a"]\n', encoding="utf-8")
    out = refused(run("queue", STOD_CONFIG="stod.toml"), "database_url: ska vara en textsträng", "en lista")
    assert "list\n" not in out


def test_a_missing_anchor_key_file_is_named_in_swedish(run):
    db = empty_store(run.tmp / "a.db")
    out = refused(run("audit", "anchor", "ankare.json", "--db", db, STOD_ANCHOR_KEY_FILE="saknas.key"),
                  "fel: STOD_ANCHOR_KEY_FILE: nyckelfilen saknas.key går inte att läsa (den finns inte)")
    assert "No such file" not in out and not (run.tmp / "ankare.json").exists()


def test_a_missing_or_unreadable_anchor_file_is_named_in_swedish(run):
    db = empty_store(run.tmp / "a.db")
    out = refused(run("audit", "verify", "--anchor", "saknas.json", "--db", db, STOD_ANCHOR_KEY=KEY),
                  "fel: --anchor: ankarfilen saknas.json går inte att läsa (den finns inte)")
    assert "FileNotFoundError" not in out and "JSON" not in out
    (run.tmp / "trasig.json").write_bytes(b"\xff{")
    out = refused(run("audit", "verify", "--anchor", "trasig.json", "--db", db, STOD_ANCHOR_KEY=KEY),
                  "fel: --anchor: trasig.json är ingen ankarfil")
    assert "Error" not in out


# -- 4. the anchor file and its key --------------------------------------------------------------


def test_an_existing_anchor_file_is_replaced_only_with_force(run):
    db = empty_store(run.tmp / "a.db")
    anchor = run.tmp / "ankare.json"
    anchor.write_text("det förra ankaret\n", encoding="utf-8")
    refused(run("audit", "anchor", anchor, "--db", db, STOD_ANCHOR_KEY=KEY),
            "finns redan; välj ett nytt filnamn eller skriv över med --force")
    assert anchor.read_text(encoding="utf-8") == "det förra ankaret\n"
    forced = run("audit", "anchor", anchor, "--force", "--db", db, STOD_ANCHOR_KEY=KEY)
    assert forced.exit_code == 0, forced.output
    assert '"format": "stodbeslut-anchor/1"' in anchor.read_text(encoding="utf-8")
    verified = run("audit", "verify", "--anchor", anchor, "--db", db, STOD_ANCHOR_KEY=KEY)
    assert "signatur" not in verified.output  # (an empty store: verify says it has no cases)


def test_a_short_anchor_key_is_refused_from_the_environment_and_from_a_file(run):
    db = empty_store(run.tmp / "a.db")
    for env in ({"STOD_ANCHOR_KEY": "short"}, {"STOD_ANCHOR_KEY": "k" * 31}):
        refused(run("audit", "anchor", "ankare.json", "--db", db, **env),
                "fel: STOD_ANCHOR_KEY: nyckeln är för kort", "minst 32 slumpmässiga byte")
    (run.tmp / "ankare.key").write_text("x\n", encoding="utf-8")
    refused(run("audit", "anchor", "ankare.json", "--db", db, STOD_ANCHOR_KEY_FILE="ankare.key"),
            "fel: STOD_ANCHOR_KEY_FILE: nyckelfilens nyckel är för kort (1 byte)", "minst 32")
    assert not (run.tmp / "ankare.json").exists()
    (run.tmp / "ankare.key").write_text("k" * 32 + "\n", encoding="utf-8")
    made = run("audit", "anchor", "ankare.json", "--db", db, STOD_ANCHOR_KEY_FILE="ankare.key")
    assert made.exit_code == 0, made.output


# -- 5. user names that look alike ----------------------------------------------------------------


def test_look_alike_user_names_are_one_account_or_refused(run):
    db = str(run.tmp / "u.db")
    made = run("users", "add", "anna", "--role", "handlaggare", "--password-stdin", "--db", db,
               input="ett långt lösenord\n")
    assert made.exit_code == 0, made.output
    for name in ("ANNA", "Anna", "Ａｎｎａ", " anna"):
        refused(run("users", "add", name, "--role", "revisor", "--password-stdin", "--db", db,
                    input="ett långt lösenord\n"), "fel: NAME: användaren 'anna' finns redan")
    for name in ("аnna", "anna\u200b", "ånna", "anna!"):  # Cyrillic а, a zero-width space, å, punctuation
        refused(run("users", "add", name, "--role", "revisor", "--password-stdin", "--db", db,
                    input="ett långt lösenord\n"), "fel: NAME: får bara innehålla bokstäverna a–z")
    upper = run("users", "add", "Berit.Holm", "--role", "revisor", "--password-stdin", "--db", db,
                input="ett långt lösenord\n")
    assert upper.exit_code == 0 and "Konto berit.holm (revisor" in upper.output
    store = open_store(db)
    assert [u.username for u in accounts.list_users(store)] == ["anna", "berit.holm"]
    for typed in ("ANNA", "Ａｎｎａ", " anna "):
        user, _ = accounts.login(store, typed, "ett långt lösenord", "127.0.0.1", 1)
        assert user.username == "anna"
    assert accounts.user_by_name(store, "BERIT.HOLM").username == "berit.holm"
    store.dispose()


def test_an_account_made_before_names_were_folded_is_found_and_not_doubled(tmp_path):
    from cases.store import utcnow

    store = open_store(str(tmp_path / "u.db"))
    with store.write() as session:  # as an earlier release stored it: in upper case
        session.add(accounts.WebUser(username="Erik", full_name="Erik Berg", role="revisor", schools=[],
                                     password_hash=accounts.hash_password("ett långt lösenord"), created_at=utcnow()))
    with pytest.raises(InputRefused, match="finns redan"):
        accounts.add_user(store, "erik", "revisor", "ett långt lösenord")
    for typed in ("Erik", "erik", "ERIK"):
        assert accounts.login(store, typed, "ett långt lösenord", "127.0.0.1", 1)[0].username == "Erik"
    store.dispose()


# -- 6. a reader that stops reading ---------------------------------------------------------------


@pytest.mark.parametrize("args", [["rules", "list"], ["check", str(CONTRACT)], ["check", str(CONTRACT), "--json"]])
def test_a_closed_pipe_ends_every_command_alike(tmp_path, args):
    """`stod queue | head -1`: rich met the closed pipe and left with exit 1 and no word; now every
    command ends as `stod check --json | head` does (tests/test_honest_exits.py): exit 141, as if
    killed by SIGPIPE, nothing on stderr. (The reader is gone before the first write: the same
    error as after `head` has read its line, without a race.)"""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "stod", *args], stdout=write_end, stderr=subprocess.PIPE,
                              cwd=tmp_path, timeout=120, env={**os.environ, "STOD_DATABASE_URL": ""})
    finally:
        os.close(write_end)
    assert done.returncode == 141, done.stderr.decode()
    assert done.stderr == b""


# -- 7. number agreement ----------------------------------------------------------------------------


def test_schools_import_counts_in_swedish(run):
    file = run.tmp / "register.csv"
    file.write_text("skolenhetskod;skolnamn;stadsdel;läsår;elever;socioekonomiskt_index\n"
                    "41177203;Rinkebyskolan;Rinkeby-Kista;2026/27;200;1\n", encoding="utf-8")
    first = run("schools", "import", file, "--db", run.tmp / "s.db")
    assert "Skolregistret: läste 1 rad: 1 ny, 0 ändrade, 0 oförändrade." in first.output, first.output
    again = run("schools", "import", file, "--db", run.tmp / "s.db")
    assert "läste 1 rad: 0 nya, 0 ändrade, 1 oförändrad." in again.output
