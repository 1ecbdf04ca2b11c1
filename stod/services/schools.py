"""Importing the school register from the administration's CSV export, and the demo's register.

The file format is documented in ``docs/equity.md``: one header line naming the columns, then
one school and läsår per line; semicolons (as Swedish spreadsheets write) or commas; UTF-8,
with or without a byte-order mark; a decimal comma or point in the index. Every problem in the
file is reported at once, each with its line and column, and then nothing is stored.
"""
from __future__ import annotations

import csv
import io
import random
import re

from cases.errors import InputRefused
from cases.schools import ImportResult, SchoolRow, store_register
from engine.sensitive import contains_personnummer, has_lone_surrogate, shown_path, shown_value

# Column name in the file → what it holds. The Swedish names are the export's own.
COLUMNS = {"skolenhetskod": "unit_code", "skolnamn": "name", "stadsdel": "district", "läsår": "school_year",
           "elever": "pupils", "socioekonomiskt_index": "socioeconomic_index"}
ALIASES = {"lasar": "läsår", "skolenhet": "skolenhetskod", "index": "socioekonomiskt_index"}
MAX_PUPILS = 5_000  # far above any grundskola; a bigger number is a mistake in the export
MAX_INDEX = 1_000.0
MAX_TEXT = 200
MAX_PROBLEMS_SHOWN = 50
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _problem(line: int, column: str, message: str) -> str:
    return f"rad {line}, {column}: {message}"


def _text(line: int, column: str, value: str, problems: list[str]) -> str:
    value = value.strip()
    if not value:
        problems.append(_problem(line, column, "saknas; fyll i värdet"))
    elif len(value) > MAX_TEXT or has_lone_surrogate(value) or any(ord(c) < 32 for c in value):
        problems.append(_problem(line, column, f"{shown_value(value)} är ingen giltig text; högst {MAX_TEXT} "
                                              "tecken utan styrtecken"))
    elif contains_personnummer(value):
        problems.append(_problem(line, column, "innehåller något som kan vara ett personnummer; registret får "
                                              "inte innehålla personuppgifter"))
    return value


def _row(line: int, cells: dict[str, str], problems: list[str]) -> SchoolRow | None:
    before = len(problems)
    code = cells["skolenhetskod"].strip()
    if not (code.isascii() and code.isdigit() and len(code) == 8):
        problems.append(_problem(line, "skolenhetskod", f"{shown_value(code)} är ingen skolenhetskod; ange "
                                                       "skolenhetskoden med 8 siffror"))
    name = _text(line, "skolnamn", cells["skolnamn"], problems)
    district = _text(line, "stadsdel", cells["stadsdel"], problems)
    year = cells["läsår"].strip()
    match = _YEAR.match(year)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)) or not 2000 <= int(match.group(1)) <= 2099:
        problems.append(_problem(line, "läsår", f"{shown_value(year)} är inget läsår; skriv det som 2026/27"))
    pupils_text = cells["elever"].strip().replace(" ", "").replace("\u00a0", "")
    pupils = int(pupils_text) if pupils_text.isascii() and pupils_text.isdigit() else None
    if pupils is None or not 1 <= pupils <= MAX_PUPILS:
        problems.append(_problem(line, "elever", f"{shown_value(cells['elever'].strip())} är inget antal elever; "
                                                f"ange ett heltal 1–{MAX_PUPILS}"))
    index_text = cells["socioekonomiskt_index"].strip().replace(",", ".")
    try:
        index = float(index_text) if index_text.isascii() else None
    except ValueError:
        index = None
    if index is None or not 0 <= index <= MAX_INDEX or index != index:
        problems.append(_problem(line, "socioekonomiskt_index", f"{shown_value(cells['socioekonomiskt_index'].strip())} "
                                 f"är inget index; ange ett tal 0–{MAX_INDEX:.0f} (decimalkomma går bra)"))
    if len(problems) > before:
        return None
    return SchoolRow(code, year, name, district, pupils, round(index, 2))


def parse_register(data: bytes, source: str) -> list[SchoolRow]:
    """The rows of a register file; ``InputRefused`` naming every bad line and column otherwise."""
    shown = shown_path(source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputRefused(shown, f"filen är inte UTF-8 (byte {error.start}); spara exporten som CSV UTF-8") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputRefused(shown, "filen är tom; den ska börja med rubrikraden "
                                  + ";".join(COLUMNS) + " (se docs/equity.md)")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputRefused(shown, f"rad 1: kolumnerna {', '.join(missing)} saknas i rubrikraden; den ska vara "
                                  + ";".join(COLUMNS) + " (se docs/equity.md)")
    problems: list[str] = []
    rows: list[SchoolRow] = []
    first_line: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"rad {line}: {len(cells)} fält i stället för {len(header)}; kontrollera avgränsarna "
                            f"({delimiter!r})")
            continue
        row = _row(line, dict(zip(header, cells)), problems)
        if row is None:
            continue
        if row.key() in first_line:
            problems.append(_problem(line, "skolenhetskod", f"{row.unit_code} läsår {row.school_year} finns redan "
                                                           f"på rad {first_line[row.key()]}; ta bort den ena raden"))
            continue
        first_line[row.key()] = line
        rows.append(row)
    if problems:
        shown_problems = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown_problems)
        raise InputRefused(shown, f"{len(problems)} fel, ingenting sparades:\n  " + "\n  ".join(shown_problems)
                           + (f"\n  … och {more} fel till" if more else ""))
    if not rows:
        raise InputRefused(shown, "filen har bara rubrikraden; inga skolor att läsa in")
    return rows


def import_register(store, data: bytes, source: str) -> ImportResult:
    """Read a register file and store it whole (or nothing, when any line is bad)."""
    from engine.sensitive import stored_name

    return store_register(store, parse_register(data, source), stored_name(source))


# -- the demo's register -----------------------------------------------------------------------

DEMO_SOURCE = "demo"
DEMO_SCHOOL_YEARS = ("2025/26", "2026/27", "2027/28")


def demo_register(schools, extra_schools, seed: int = 1) -> list[SchoolRow]:
    """A made-up register for the demo's schools (and some that never apply), clearly demo data.

    Sizes like a big Swedish city's grundskolor (about 150 to 1 000 pupils; the schools with the
    highest index tend to be smaller), the index as the demo's schools carry it on their
    applications for the middle year and drifting a few points a year.
    """
    rng = random.Random(f"register:{seed}")
    rows = []
    for code, name, district, index in list(schools) + list(extra_schools):
        pupils = int(rng.triangular(150, 1_000, 650 if index < 110 else 380))
        for n, year in enumerate(DEMO_SCHOOL_YEARS):
            drift = (n - 1) * rng.uniform(-4, 4)
            rows.append(SchoolRow(code, year, name, district, max(80, pupils + (n - 1) * rng.randint(-25, 25)),
                                  round(max(40.0, index + drift), 1)))
    return rows


def ensure_demo_register(store, schools, extra_schools, seed: int = 1) -> ImportResult:
    """Store the demo's register (nothing changes on a second run with the same seed)."""
    return store_register(store, demo_register(schools, extra_schools, seed), DEMO_SOURCE)
