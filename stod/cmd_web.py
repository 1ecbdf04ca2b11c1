"""stod serve, stod users and stod tokens: the web app and who may use it."""
from __future__ import annotations

import os
import signal
import sys

import click

from cases import accounts
from cases.store import open_store

from .options import case_errors, db_option
from .common import InputProblem, console, parse_date, safe, shown

DEMO_ACCOUNTS = (
    # user name, role, full name, schools, password (a demo database only; printed by stod serve --demo)
    ("rektor", "rektor", "Rektor Exempelsson", ["41177203", "41177214"], "rektor-demo-2026"),
    ("handlaggare", "handlaggare", "Anna Lindqvist", [], "handlaggare-demo-2026"),
    ("revisor", "revisor", "Erik Berg", [], "revisor-demo-2026"),
)


def ensure_demo_accounts(store) -> list[tuple[str, str, str]]:
    """The demo's three accounts (made if missing); returns (user name, role, password) for each."""
    existing = {u.username for u in accounts.list_users(store)}
    for username, role, full_name, schools, password in DEMO_ACCOUNTS:
        if username not in existing:
            accounts.add_user(store, username, role, password, schools, full_name)
    return [(u, r, p) for u, r, _, _, p in DEMO_ACCOUNTS]


def existing_store(db):
    """The store at ``db``; a missing one is refused, not created ("ingen databas på …", exit 2)."""
    return open_store(db, must_exist=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Server processes.")
@click.option("--date", "on", help="Count days waited up to this date (YYYY-MM-DD) instead of today (for the demo).")
@click.option("--demo", is_flag=True, help="Create the demo accounts if missing and print them (demo databases only).")
@click.option("--trusted-user-header", metavar="HEADER",
              help="Single sign-on: believe this header's user name from the proxy (off by default).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
              help="The reverse proxy's address for --trusted-user-header (repeatable; default 127.0.0.1).")
@db_option
@case_errors
def serve(host, port, workers, on, demo, trusted_user_header, trusted_proxies, db):
    """Serve the web app and the HTTP API (/api/v1) with uvicorn.

    Example: stod serve --db stod.db --port 8000 --demo --date 2027-12-31
    """
    previous = signal.signal(signal.SIGTERM, _stopped)  # from the start: a stop while the store is open closes it
    try:
        _serve(host, port, workers, on, demo, trusted_user_header, trusted_proxies, db)
    finally:
        signal.signal(signal.SIGTERM, previous)  # a caller in the same process (a test) keeps its own


def _serve(host, port, workers, on, demo, trusted_user_header, trusted_proxies, db):
    import uvicorn

    from .cli import apply_config

    config = apply_config()
    if config.production and config.secret_problem():
        raise InputProblem(config.secret_problem())
    if config.production and demo:
        raise InputProblem("--demo: demokonton skapas aldrig i produktionsläge (STOD_PRODUCTION); "
                           "skapa riktiga konton med stod users add")
    day = parse_date(on, "--date")
    store = existing_store(db)
    if demo:
        from .services.demo import not_demo

        with store.read() as session:
            why = not_demo(session.connection())
        if why is not None:
            store.dispose()
            raise InputProblem(f"--demo: databasen {why}; demokonton med publicerade lösenord skapas bara i en "
                               "demodatabas (stod demo). Skapa riktiga konton med stod users add")
        for username, role, password in ensure_demo_accounts(store):
            console.print(f"demokonto: {username} / {password} ({accounts.ROLE_TITLES[role]})", highlight=False)
    elif not accounts.list_users(store):
        console.print("Inga konton ännu: skapa ett med stod users add NAMN --role … --password-stdin", highlight=False)
    url = store.url
    store.dispose()
    os.environ["STOD_DATABASE_URL"] = url
    if day:
        os.environ["STOD_WEB_DATE"] = day.isoformat()
    if trusted_user_header:
        os.environ["STOD_WEB_TRUSTED_HEADER"] = trusted_user_header
        os.environ["STOD_WEB_TRUSTED_PROXIES"] = ",".join(trusted_proxies or ("127.0.0.1",))
        console.print(f"Inloggning via proxy: rubriken {trusted_user_header} godtas från "
                      f"{', '.join(trusted_proxies or ('127.0.0.1',))}", highlight=False)
    console.print(f"Stödbeslut på http://{host}:{port}/  (API: http://{host}:{port}/api/v1/openapi.json)",
                  highlight=False)
    from .web.requestlog import configure

    configure(config.log_level)  # the supervisor's lines as JSON too (each worker configures its own)
    uvicorn.run("stod.web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", log_config=None, proxy_headers=False,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)
    if workers > 1 and url.startswith("sqlite"):
        # The workers have ended, each closing its store; two closing at the same moment each
        # see the other still there, and SQLite's log stays beside the database (harmless: the
        # next open reads it back). One last open and close here, alone, folds it back.
        existing_store(url).dispose()


# uvicorn's supervisor kills (SIGKILL) a worker that has not answered its ping within this many
# seconds and starts another: 5 by default, which a worker busy on a loaded machine (a long
# PDF, a large page, starting up) can miss; killed, it loses its requests and leaves SQLite's log.
WORKER_HEALTHCHECK_SECONDS = 30


def _stopped(_signum, _frame) -> None:
    """SIGTERM (systemd's and docker's stop): end as Ctrl-C does. uvicorn shuts the app down, then
    raises the signal again with the handler it found; with none, the process was killed there,
    before ``cli.run`` could close the store (SQLite's log was left beside the database).
    Installed first thing: a stop while the demo accounts are made closes the store too. (Not in
    a worker: there uvicorn's own handler is in place before the app is made.)"""
    raise SystemExit(0)


@click.group("users")
def users():
    """Accounts of the web app: rektor, handlaggare, revisor.

    Example: echo 'ett långt lösenord' | stod users add anna --role handlaggare --full-name "Anna Lindqvist" --password-stdin
    """


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES), help="What the account may do.")
@click.option("--school", "schools", multiple=True, metavar="UNIT_CODE",
              help="A school unit the rektor answers for (repeat for several).")
@click.option("--full-name", help="The name shown and signed under decisions (default: NAME).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (required).")
@db_option
@case_errors
def users_add(name, role, schools, full_name, password_stdin, db):
    """Create an account; the password is read from standard input and stored as an argon2 hash.

    Example: echo 'ett långt lösenord' | stod users add rektor1 --role rektor --school 41177203 --password-stdin
    """
    if not password_stdin:
        raise InputProblem("--password-stdin: lösenordet läses från standard in; ange --password-stdin "
                           "(aldrig som argument, det syns i processlistan)")
    password = sys.stdin.readline().rstrip("\r\n")
    accounts.check_account(name, role, password, list(schools), full_name)  # a refused account creates no store
    user = accounts.add_user(open_store(db), name, role, password, list(schools), full_name)
    console.print(f"Konto {safe(user.username)} ({accounts.ROLE_TITLES[user.role]}, {safe(user.full_name)})"
                  + (f" för skolenheter {', '.join(user.schools)}" if user.schools else "") + " skapat.",
                  highlight=False)


@users.command("list")
@db_option
@case_errors
def users_list(db):
    """List the accounts (never a password).

    Example: stod users list
    """
    for user in accounts.list_users(existing_store(db)):
        click.echo(f"{shown(user.username)}\t{accounts.ROLE_TITLES[user.role]}\t{shown(user.full_name)}\t"
                   f"{', '.join(user.schools) or 'alla skolor'}")


@click.group("tokens")
def tokens():
    """Bearer tokens of the HTTP API (for the city's e-service).

    Example: stod tokens add e-tjansten --school 41177203
    """


@tokens.command("add")
@click.argument("name")
@click.option("--school", "schools", multiple=True, metavar="UNIT_CODE",
              help="Limit the token to this school unit (repeat for several; none: every school).")
@db_option
@case_errors
def tokens_add(name, schools, db):
    """Make a token; it is printed once, as the last line, and only its hash is stored.

    Example: stod tokens add e-tjansten
    """
    accounts.check_token(name, list(schools))  # a refused token creates no store
    row, token = accounts.add_token(open_store(db), name, list(schools))
    console.print(f"Token {row.id} ({safe(row.name)}) för {', '.join(row.schools) or 'alla skolenheter'}; "
                  "spara den nu, den visas inte igen:", highlight=False)
    click.echo(token)


@tokens.command("list")
@db_option
@case_errors
def tokens_list(db):
    """List tokens by number and name (never the token).

    Example: stod tokens list
    """
    for row in accounts.list_tokens(existing_store(db)):
        state = f"återkallad {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "giltig"
        click.echo(f"{row.id}\t{shown(row.name)}\t{', '.join(row.schools) or 'alla skolenheter'}\t{state}")


@tokens.command("revoke")
@click.argument("token")
@db_option
@case_errors
def tokens_revoke(token, db):
    """Revoke a token by its number, or every live token with that name.

    Example: stod tokens revoke 3
    """
    rows = accounts.revoke_token(existing_store(db), token)
    console.print(f"Återkallade: {', '.join(f'{r.id} ({safe(r.name)})' for r in rows)}.", highlight=False)


def register(main: click.Group) -> None:
    for command in (serve, users, tokens):
        main.add_command(command)
