"""stod csi: CSI placement rounds. ``stod csi check`` is a dry run of a round file, nothing stored."""
from __future__ import annotations

import click
from rich.table import Table

from engine import csi_api

from .common import console, err_console, handle_errors, parse_date, print_json, read_file

OUTCOME_STYLE = {"placering": "green", "ko": "yellow", "komplettering": "cyan",
                 "avslag": "red", "avvisning": "magenta"}


@click.group("csi")
def csi():
    """CSI placements: rounds that place eligible requests in the central groups.

    Example: stod csi check ../shared/contract/csi/round-example.json
    """


@csi.command("check")
@click.argument("round_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print {term, results: {application_id: {...}}} as JSON.")
@click.option("--date", "on", help="Decision date (YYYY-MM-DD); today by default.")
@handle_errors
def check(round_file, as_json, on):
    """Decide a round file without storing anything (a dry run).

    The round file has kind "csi_round", a term (HT2026, VT2027, …), optional groups with the
    places already taken, and its requests. Without groups the catalogue in rules/ at the
    term's start is used with no places taken.

    Example: stod csi check ../shared/contract/csi/round-example.json --json
    """
    decision_date = parse_date(on, "--date")
    data = csi_api.read_round(read_file(round_file), source=round_file)
    if data.groups is None:
        err_console.print("obs: omgångsfilen har ingen egen katalog; katalogen i rules/ används och "
                          "inga platser räknas som tagna (torrkörning utan lagrade placeringar).",
                          markup=False, highlight=False)
    decided = csi_api.check_round(data, decision_date)
    if as_json:
        print_json(decided.to_dict())
        return
    table = Table(title=f"Placeringsomgång {decided.term.code} ({decided.term.name})")
    for col in ("ansökan", "utfall", "avgörande regler", "grupp / köplatser", "turordning"):
        table.add_column(col, overflow="fold")
    for rid, r in decided.results.items():
        where = r["group"] or ", ".join(f"{g}: {p}" for g, p in r["positions"].items())
        style = OUTCOME_STYLE.get(r["outcome"], "white")
        table.add_row(rid, f"[{style}]{r['outcome']}[/]", ", ".join(r["decisive_rules"]), where,
                      str(r["rank"] or ""))
    console.print(table)
    for rid, r in decided.results.items():
        console.rule(f"[bold]{rid}[/] [{OUTCOME_STYLE.get(r['outcome'], 'white')}]{r['outcome']}[/]")
        console.print(r["text"], markup=False, highlight=False)


def register(main: click.Group) -> None:
    main.add_command(csi)
