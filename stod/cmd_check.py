"""stod check and stod rules: dry runs and the rulebook's raw view, nothing stored."""
from __future__ import annotations

import click
from rich.table import Table

from engine.registry import names as area_names

from . import batch
from .common import (binary_stdout, console, handle_errors, nothing_to_close, parse_date, print_json, safe, visible,
                     workers_option, write_bytes)

OUTCOME_STYLE = {"bifall": "green", "delvis_bifall": "yellow", "komplettering": "cyan",
                 "avslag": "red", "avvisning": "magenta"}


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON (one object per file).")
@click.option("--date", "on", help="Decision date (YYYY-MM-DD), not before the receipt date; by default today, "
                                   "or the receipt date of an application received after today.")
@workers_option
@handle_errors
def check(files, as_json, on, workers):
    """Decide applications without storing anything (a dry run).

    Example: stod check ../shared/contract/verksamhetsstod/VS-EX-01.json --json
    """
    nothing_to_close()  # nothing is stored: the process may end as soon as the output is written
    decision_date = parse_date(on, "--date")
    files = list(files)
    if as_json and len(files) > 1:  # one array, written while the files are decided
        batch.write_checked(files, decision_date, workers, binary_stdout())
        return
    results = batch.check_files(files, decision_date, workers, as_json)
    if as_json:
        write_bytes(*results)
        return
    for application_id, outcome, text in results:
        style = OUTCOME_STYLE.get(outcome, "white")
        console.rule(f"[bold]{safe(application_id)}[/] [{style}]{safe(outcome)}[/]")
        click.echo(visible(text))


@click.group("rules")
def rules():
    """Validate and list the rules in rules/.

    Example: stod rules list --area verksamhetsstod
    """


AREAS = tuple(area_names())


def load_areas(area: str | None = None, rules_dir: str | None = None):
    """The rule areas of rules/ (or of ``rules_dir``, a proposed tree); none found is refused (exit 2)."""
    from reports.common import load_areas as load

    return load(rules_dir, area)


@rules.command("validate")
@click.option("--area", type=click.Choice(AREAS), help="Only this area.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, exists=True),
              help="A rules folder to validate instead of rules/ (e.g. a proposed change, before stod whatif).")
@handle_errors
def validate(area, rules_dir):
    """Load every rule and parameter file; stop at the first error with file, line and rule.

    Exits 2 when a file is wrong or the folder holds no rule area.

    Example: stod rules validate --rules forslag/rules
    """
    for loaded in load_areas(area, rules_dir):
        console.print(f"{loaded.name}: {len(loaded.rules)} regler, {len(loaded.params)} parametrar, "
                      f"version {loaded.version} — alla filer kunde läsas")


def rule_rows(area: str | None = None) -> list[dict]:
    """Every rule as a row (id, group, title, validity, basis, file:line); the CLI and the API list these."""
    rows = []
    for loaded in load_areas(area):
        for rule in loaded.rules:
            s = rule.spec
            rows.append({"area": loaded.name, "id": s.id, "group": s.group, "title": s.title,
                         "valid_from": str(s.valid_from), "valid_to": str(s.valid_to or ""),
                         "basis": "; ".join(f"{b.kind}: {b.text}" for b in s.basis),
                         "file": f"{rule.path}:{rule.line}"})
    return rows


@rules.command("list")
@click.option("--area", type=click.Choice(AREAS), help="Only this area.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def list_rules(area, as_json):
    """List every rule: id, group, title, validity and basis.

    Example: stod rules list --area verksamhetsstod
    """
    rows = rule_rows(area)
    if as_json:
        print_json(rows)
        return
    table = Table(title="Regler", show_lines=False)
    for col in ("id", "group", "title", "valid_from", "valid_to", "basis"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(safe(v, None) for v in (r["id"], r["group"], r["title"], r["valid_from"], r["valid_to"] or "–",
                                                r["basis"])))
    console.print(table)
