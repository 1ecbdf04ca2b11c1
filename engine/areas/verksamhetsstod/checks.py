"""Verksamhetsstöd's own static check: level tables (``level_hours``) and their amounts.

A level table must start at ``least_extensive_hours``, rise strictly, number its levels 1,
2, 3 … without gaps, and every level must have a monthly amount (``*_by_level``).
"""
from __future__ import annotations

from ...checks import Defect, line_of_value

LEVEL_ANCHOR = "least_extensive_hours"


def _is_level_table(value) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(row, dict) and "level" in row and "from_hours" in row for row in value))


def check_level_tables(area) -> list[Defect]:
    defects = []
    amounts = {n: p for n, p in area.params.items() if n.endswith("_by_level")}
    for name, spec in sorted(area.params.items()):
        path = area.param_paths[name]
        text = area.source.read(path)
        for day, dated in sorted(spec.values.items()):
            table = dated.value
            if not _is_level_table(table):
                continue
            line = line_of_value(text, day)

            def defect(problem: str) -> None:
                defects.append(Defect("level_table", area.name, path, line, name, f"value from {day}: {problem}"))

            hours = [row["from_hours"] for row in table]
            levels = [row["level"] for row in table]
            for a, b, la, lb in zip(hours, hours[1:], levels, levels[1:]):
                if b == a:
                    defect(f"levels {la} and {lb} both start at {a} hours: those hours are covered twice")
                elif b < a:
                    defect(f"level {lb} starts at {b} hours, below level {la} at {a}: "
                           "the table must rise strictly, or hours are covered twice")
            expected = list(range(1, len(levels) + 1))
            if levels != expected:
                defect(f"levels are {levels}; they must be numbered {expected} in order of hours, without gaps")
            if LEVEL_ANCHOR in area.params:
                least = area.params[LEVEL_ANCHOR].at(day)
                if least is not None and hours and hours[0] != least:
                    if hours[0] > least:
                        defect(f"the lowest level starts at {hours[0]} hours but {LEVEL_ANCHOR} is {least}: "
                               f"{least} to under {hours[0]} hours is extensive but has no level")
                    else:
                        defect(f"the lowest level starts at {hours[0]} hours, below {LEVEL_ANCHOR} {least}: "
                               f"hours under {least} get a level that VS-S2 refuses")
            for amount_name, amount_spec in sorted(amounts.items()):
                per_level = amount_spec.at(day)
                if isinstance(per_level, dict):
                    missing = [lv for lv in levels if lv not in per_level and str(lv) not in per_level]
                    if missing:
                        defect(f"{amount_name} has no amount for level(s) {missing} on {day}")
    return defects
