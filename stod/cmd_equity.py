"""stod schools, equity and skolblad: the school register and the equity follow-up on the command line."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from engine.explain import number
from engine.sensitive import shown_path
from engine.swedish import count

from .cmd_audit import _period, _store
from .common import InputProblem, console, output_path, print_json, read_file, safe
from .options import store_command
from .services.files import os_reason

DATE_HELP = "The day open cases are measured on (YYYY-MM-DD); today by default."


def _write(path: str, write) -> None:
    """Write an output file, or refuse with the reason (exit 2)."""
    try:
        write(Path(path))
    except OSError as error:
        raise InputProblem(f"{shown_path(path)}: filen går inte att skriva ({os_reason(error, writing=True)}); "
                           "ange en annan sökväg") from None


def _read_register(session_call):
    from reports.equity import NoRegister, UnknownSchool

    try:
        return session_call()
    except NoRegister as error:
        raise InputProblem(str(error)) from None
    except UnknownSchool as error:
        raise InputProblem(f"SCHOOL: ingen skola med skolenhetskod {safe(str(error))} i skolregistret; "
                           "se stod schools list") from None


# -- schools ----------------------------------------------------------------------------------


@click.group("schools")
def schools():
    """The school register: pupils and socioeconomic index per school and läsår (docs/equity.md)."""


@schools.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@store_command(json_help="Print the counts as JSON.")
def schools_import(file, db, as_json):
    """Import the register from the administration's CSV export; a bad line refuses the whole file.

    Importing the same file again changes nothing; a corrected export replaces that läsår's
    values for the schools it holds.

    Example: stod schools import skolregister-2026-27.csv
    """
    from cases.store import open_store

    from .services.schools import import_register

    data = read_file(file, "skolregistrets CSV-fil")
    store = open_store(db)
    try:
        result = import_register(store, data, file)
    finally:
        store.dispose()
    if as_json:
        print_json(result.__dict__)
        return
    console.print(f"Skolregistret: läste {count(result.rows, 'en rad/rader', False)}: "
                  f"{count(result.added, 'en ny/nya', False)}, {count(result.changed, 'en ändrad/ändrade', False)}, "
                  f"{count(result.unchanged, 'en oförändrad/oförändrade', False)}.")


@schools.command("list")
@store_command(json_help="Print as JSON.")
def schools_list(db, as_json):
    """The register's rows by läsår and unit code.

    Example: stod schools list
    """
    from cases.schools import register_rows, register_sources

    store = _store(db)
    try:
        with store.read() as session:
            rows, sources = register_rows(session), register_sources(session)
    finally:
        store.dispose()
    if as_json:
        print_json([r.__dict__ for r in rows])
        return
    if not rows:
        raise InputProblem("skolregistret är tomt; läs in det med stod schools import FIL (se docs/equity.md)")
    table = Table(title="Skolregistret" + (" (DEMODATA)" if "demo" in sources else ""))
    for col, just in (("läsår", "left"), ("skolenhetskod", "left"), ("skola", "left"), ("stadsdel", "left"),
                      ("elever", "right"), ("index", "right")):
        table.add_column(col, justify=just)
    for r in rows:
        table.add_row(r.school_year, r.unit_code, safe(r.name), safe(r.district), str(r.pupils),
                      f"{r.socioeconomic_index:g}".replace(".", ","))
    console.print(table)


# -- equity -----------------------------------------------------------------------------------


@click.command("equity")
@click.option("--by", type=click.Choice(("band", "district", "school")), default="band", show_default=True,
              help="Group by index band (quintiles), district or school.")
@click.option("--from", "date_from", help="Cases received from this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Cases received up to this date (YYYY-MM-DD).")
@click.option("--csv", "as_csv", is_flag=True, help="Print as CSV (semicolons).")
@click.option("--xlsx", type=click.Path(dir_okay=False), help="Also write an Excel workbook to this file.")
@click.option("--html", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML page with the tables and charts to this file.")
@store_command(date_help=DATE_HELP, json_help="Print as JSON (the shape of stod stats --json).")
def equity_cmd(by, date_from, date_to, as_csv, xlsx, html, on, as_json, db):
    """Where the money and the places go: per index band, district or school, against pupils and index.

    Totals equal stod stats over the same period. Cases of a school that is not in the
    register form the group 'okänd skola'.

    Example: stod equity --by band --from 2026-01-01 --to 2026-12-31 --xlsx uppfoljning.xlsx
    """
    from reports.equity import equity
    from reports.equity_views import terminal_tables, to_csv, workbook

    from .common import parse_date
    from .services.equity_pages import equity_page

    if as_json and as_csv:
        raise InputProblem("--json och --csv: välj ett av dem")
    output_path(xlsx, "--xlsx")
    output_path(html, "--html")
    start, end = _period(date_from, date_to)
    today = parse_date(on, "--date")
    store = _store(db)
    try:
        with store.read() as session:
            report = _read_register(lambda: equity(session, by, start, end, today))
            if xlsx:
                book = workbook(session, start, end, today)
                _write(xlsx, lambda p: book.save(p))
            if html:
                page = equity_page(session, start, end, today)
                _write(html, lambda p: p.write_text(page, encoding="utf-8"))
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
        return
    if as_csv:
        click.echo(to_csv(report), nl=False)
        return
    reg = report.register
    title = {"band": "indexband", "district": "stadsdel", "school": "skola"}[by]
    for part, rows in terminal_tables(report):
        table = Table(title=f"{part} per {title} (skolregistret {reg.school_year}" + (", DEMODATA" if reg.demo else "")
                      + ")")
        for n, heading in enumerate(rows[0]):
            table.add_column(heading, justify="left" if n == 0 else "right", overflow="fold")
        for row in rows[1:]:
            table.add_row(*[safe(cell) for cell in row])
        console.print(table)
    if by == "band":
        edges = ", ".join(number(e) for e in reg.edges)
        ranges = "; ".join(f"band {b['band']}: {number(b['from'])}–{number(b['to'])} ({b['schools']} {'skola' if b['schools'] == 1 else 'skolor'})"
                           for b in reg.band_ranges() if b["schools"])
        console.print(f"Bandgränser (kvintiler av indexet över registrets {len(reg.schools)} skolor): {edges}. "
                      f"Band 1 har lägst index, band 5 högst. Index per band: {ranges}.")
    console.print("Per elev och per 100 elever räknas över skolorna i registret; 'okänd skola' är ärenden från "
                  "skolor som inte finns där.")
    for path, what in ((xlsx, "Excel"), (html, "HTML")):
        if path:
            console.print(f"{what} skriven: {safe(shown_path(path), None)}")


@click.command("skolblad")
@click.argument("school")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the HTML page to this file (else to stdout).")
@store_command(date_help=DATE_HELP, json_help="Print the figures as JSON instead of the page.")
def skolblad_cmd(school, out, on, as_json, db):
    """One school's page: its figures per term against its index band and the city, and its open cases.

    SCHOOL is the school's unit code (skolenhetskod). No diagnoses and no pupil references appear.

    Example: stod skolblad 41177203 --out rinkebyskolan.html
    """
    from reports.equity import skolblad

    from .common import parse_date
    from .services.equity_pages import skolblad_page

    output_path(out, "--out")
    today = parse_date(on, "--date")
    store = _store(db)
    try:
        with store.read() as session:
            sheet = _read_register(lambda: skolblad(session, school.strip(), today))
    finally:
        store.dispose()
    if as_json:
        print_json(sheet.to_dict())
        return
    page = skolblad_page(sheet)
    if out:
        _write(out, lambda p: p.write_text(page, encoding="utf-8"))
        console.print(f"Skolblad för {safe(sheet.school.name)} skrivet: {safe(shown_path(out), None)}")
    else:
        click.echo(page)


def register(main: click.Group) -> None:
    for command in (schools, equity_cmd, skolblad_cmd):
        main.add_command(command)
