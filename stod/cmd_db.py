"""`stod db` (schema status, upgrade, backup, restore) and `stod gallra` (retention): the operator's commands."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from rich.table import Table

from cases import backup as B
from cases import migrations as M
from cases.store import open_store, resolve_url
from engine.sensitive import shown_path
from engine.swedish import count

from .common import InputProblem, console, parse_date, print_json, safe
from .options import store_command
from .services.retention import gallra as run_gallra

JSON_HELP = "Print the result as JSON."


@click.group("db")
def db_group():
    """The case database: schema version, upgrade, backup and restore.

    Example: stod db status --db /var/lib/stod/stod.db
    """


def _print_status(status: M.SchemaStatus) -> None:
    console.print(f"Databas: {safe(status.database, None)} ({status.dialect})")
    console.print(f"Schemaversion {status.version} av programmets {len(status.known)}"
                  + (f"; senaste: {status.applied[-1][0]}" if status.applied else ""))
    if status.pending:
        console.print(f"Väntande migreringar ({len(status.pending)}): {', '.join(status.pending)}; kör stod db upgrade")
    if status.missing_tables:
        console.print(f"Tabeller som saknas: {', '.join(status.missing_tables)}; kör stod db upgrade")
    if status.missing_columns:
        console.print(f"Kolumner som saknas: {', '.join(status.missing_columns)}")
    if status.current:
        console.print("Schemat är aktuellt.")


@db_group.command("status")
@store_command(json_help=JSON_HELP)
def db_status(db, as_json):
    """Show the store's schema version and what `stod db upgrade` would apply (changes nothing).

    Exit code 1 when the schema is not current.

    Example: stod db status --db stod.db
    """
    store = open_store(db, must_exist=True, upgrade=False)
    try:
        status = M.schema_status(store)
    finally:
        store.dispose()
    print_json(status.to_dict()) if as_json else _print_status(status)
    if not status.current:
        raise SystemExit(1)


@db_group.command("upgrade")
@store_command(json_help=JSON_HELP)
def db_upgrade(db, as_json):
    """Apply the named migrations this version has and the store lacks, in order, in one transaction.

    Running it again applies nothing. Take a backup first (stod db backup, or pg_dump).

    Example: stod db upgrade --db stod.db
    """
    store = open_store(db, must_exist=True, upgrade=False)
    try:
        report = M.upgrade(store)
    except M.SchemaDrift as drift:
        raise click.ClickException(f"kolumner saknas utan migrering som lägger till dem: {drift}; uppdatera stod "
                                   "till en version med den migreringen") from None
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
        return
    if report.applied or report.created_tables:
        console.print(f"Schemaversion {report.before.version} → {report.after.version}: "
                      f"{len(report.applied)} migreringar tillämpade ({', '.join(report.applied) or '–'})"
                      + (f"; tabeller skapade: {', '.join(report.created_tables)}" if report.created_tables else ""))
    else:
        console.print(f"Schemaversion {report.after.version}: redan aktuell, ingenting ändrat.")


def _file_command(name: str, force_help: str):
    """A `stod db` command over one FILE, with --force, --db and --json."""
    def decorate(func):
        for option in (store_command(json_help=JSON_HELP), click.option("--force", is_flag=True, help=force_help),
                       click.argument("file", type=click.Path(dir_okay=False))):
            func = option(func)
        return db_group.command(name)(func)
    return decorate


@_file_command("backup", "Overwrite FILE if it exists.")
def db_backup(file, force, db, as_json):
    """Copy a SQLite store to FILE while it is in use (SQLite's online backup API).

    The copy is checked (integrity, a case store) before it is given its name. For
    PostgreSQL use pg_dump (docs/operations.md).

    Example: stod db backup /var/backups/stod/stod-2026-11-27.db --db /var/lib/stod/stod.db
    """
    _print_file("Säkerhetskopia skriven", B.backup(resolve_url(db), Path(file), force), as_json)


@_file_command("restore", "Replace a store that holds cases (take a backup of it first).")
def db_restore(file, force, db, as_json):
    """Restore a SQLite store from a backup FILE made by `stod db backup`.

    FILE must be a stodbeslut store of a schema version this program knows; a store that
    holds cases is replaced only with --force. Afterwards: stod db upgrade, stod audit verify.

    Example: stod db restore /var/backups/stod/stod-2026-11-27.db --db /var/lib/stod/stod.db
    """
    _print_file("Återställd", B.restore(Path(file), resolve_url(db), force), as_json,
                " Kontrollera med stod audit verify.")


def _print_file(what: str, written: B.StoreFile, as_json: bool, after: str = "") -> None:
    if as_json:
        print_json(written.to_dict())
        return
    console.print(f"{what}: {safe(shown_path(str(written.path)), None)} ({count(written.cases, 'ett ärende/ärenden', False)}, "
                  f"{count(written.events, 'en händelse/händelser', False)}, "
                  f"schemaversion {len(written.migrations)}).{after}")


@click.command("gallra")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The day to judge what is due on (today by default).")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed; change nothing.")
@store_command(json_help=JSON_HELP)
def gallra(on, dry_run, db, as_json):
    """Remove the pupils' diagnoses and need descriptions that the document management plan says are due.

    The plan (rules/retention/) gives the periods; each removal is recorded in the case's
    history, replay and stod audit verify keep working. Idempotent: run it daily (cron or a
    systemd timer, docs/operations.md).

    Example: stod gallra --dry-run --on 2030-01-01
    """
    today = _today()
    day = parse_date(on, "--on") if on else today
    if day > today and not dry_run:
        raise InputProblem(f"--on: {day} är efter dagens datum {today}; gallring tar bort uppgifter för gott och "
                           "görs när de har blivit aktuella, inte i förväg. Se vad som skulle gallras med --dry-run")
    report = run_gallra(open_store(db, must_exist=True, upgrade=not dry_run), day, dry_run)
    if as_json:
        print_json(report.to_dict())
        return
    listed = report.due if dry_run else report.removed
    if listed:
        table = Table(title=("Skulle gallras" if dry_run else "Gallrat") + f" per {day}")
        for col in ("ärende", "beslutat", "period slut", "gallras från", "uppgifter", "regel"):
            table.add_column(col, overflow="fold")
        for d in listed:
            table.add_row(f"{d.case_id} {safe(d.application_id)}", str(d.decided_on), str(d.period_end or "–"),
                          str(d.due_on), ", ".join(d.fields_sv), d.rule_id)
        console.print(table)
    verb = "skulle gallras (inget ändrat)" if dry_run else "har gallrats"
    console.print(f"{count(len({d.case_id for d in listed}), 'ett ärende/ärenden', False)} {verb}; "
                  f"ännu inte aktuella: {count(len(report.not_yet), 'en gallring/gallringar', False)}"
                  + (f" (nästa {report.next_due})" if report.next_due else "")
                  + f"; redan gallrade eller utan sådana uppgifter: "
                    f"{count(report.already_removed, 'ett ärende/ärenden', False)}.")


def _today() -> date:
    """Today, for gallra's refusal of a day ahead (the tests move it)."""
    return date.today()


def register(main: click.Group) -> None:
    main.add_command(db_group)
    main.add_command(gallra)

