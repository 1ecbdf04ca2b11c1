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
                defects.append(Defect("level_table", area.name, path, line, name, f"värdet från {day}: {problem}"))

            hours = [row["from_hours"] for row in table]
            levels = [row["level"] for row in table]
            for a, b, la, lb in zip(hours, hours[1:], levels, levels[1:]):
                if b == a:
                    defect(f"nivå {la} och {lb} börjar båda vid {a} timmar: de timmarna täcks två gånger; "
                           "ge nivåerna olika gränser")
                elif b < a:
                    defect(f"nivå {lb} börjar vid {b} timmar, under nivå {la} vid {a}: "
                           "tabellen ska stiga strikt, annars täcks timmar två gånger")
            expected = list(range(1, len(levels) + 1))
            if levels != expected:
                defect(f"nivåerna är {levels}; numrera dem {expected} i timordning, utan luckor")
            if LEVEL_ANCHOR in area.params:
                least = area.params[LEVEL_ANCHOR].at(day)
                if least is not None and hours and hours[0] != least:
                    if hours[0] > least:
                        defect(f"den lägsta nivån börjar vid {hours[0]} timmar men {LEVEL_ANCHOR} är {least}: "
                               f"{least} till under {hours[0]} timmar är omfattande men har ingen nivå")
                    else:
                        defect(f"den lägsta nivån börjar vid {hours[0]} timmar, under {LEVEL_ANCHOR} {least}: "
                               f"timmar under {least} får en nivå som VS-S2 avslår")
            for amount_name, amount_spec in sorted(amounts.items()):
                per_level = amount_spec.at(day)
                if isinstance(per_level, dict):
                    missing = [lv for lv in levels if lv not in per_level and str(lv) not in per_level]
                    if missing:
                        defect(f"{amount_name} har inget belopp för nivå {missing} den {day}; lägg till beloppen")
    return defects
