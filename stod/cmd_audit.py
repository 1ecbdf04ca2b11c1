"""Commands for auditors: rules check, rulebook, coverage, replay, what-if, audit verify, stats.

Each command parses its arguments, calls one function in engine/checks.py, reports/ or
cases/audit.py, and formats the result.
"""
from __future__ import annotations

import click
from rich.table import Table

from .common import console, handle_errors, print_json

AREAS = ("verksamhetsstod", "csi")


def _load_areas(area: str | None, rules_dir: str | None):
    from engine.area import Area, load_area
    from engine.yamlsource import FolderSource, default_rules_root

    source = FolderSource(rules_dir) if rules_dir else FolderSource(default_rules_root())
    names = [area] if area else [a for a in AREAS if source.paths(a)]
    return [Area(name, source) if rules_dir else load_area(name) for name in names]


@click.command("check")
@click.option("--area", type=click.Choice(AREAS), help="Only this area.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, exists=True),
              help="A rules folder to check instead of rules/ (e.g. a proposed change).")
@click.option("--json", "as_json", is_flag=True, help="Print the defects as JSON.")
@handle_errors
def rules_check(area, rules_dir, as_json):
    """Static checks: level tables, parameter dates, constant rules, contradictions.

    Exits 1 when a defect is found.

    Example: stod rules check --area verksamhetsstod
    """
    from engine.checks import check_areas

    areas = _load_areas(area, rules_dir)
    defects = check_areas(areas)
    if as_json:
        print_json({"areas": {a.name: a.version for a in areas}, "defects": [d.to_dict() for d in defects]})
    elif not defects:
        for a in areas:
            console.print(f"{a.name} (version {a.version}): {len(a.rules)} regler, {len(a.params)} parametrar — "
                          "inga fel hittades")
    else:
        table = Table(title=f"Fel i reglerna ({len(defects)})")
        for col in ("kind", "subject", "where", "problem"):
            table.add_column(col, overflow="fold")
        for d in defects:
            table.add_row(d.kind, d.subject, d.where(), d.problem)
        console.print(table)
    if defects:
        raise SystemExit(1)


def register(main: click.Group) -> None:
    rules_group = main.commands.get("rules")
    if isinstance(rules_group, click.Group):
        rules_group.add_command(rules_check)
