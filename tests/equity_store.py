"""A small store with known cases and a known register, for the equity features and tests.

Five register schools, one per index band (five indices give five quintiles), and six cases
whose amounts and processing days can be worked out by hand from the policy's parameters:
level 2 is 16 000 kr a month and level 3 28 000 kr in 2026, the periods are October to
December 2026 (three school months) and nothing is netted (no time in a special group).
"""
from __future__ import annotations

import copy
from datetime import date, timedelta

from cases import workflow
from cases.schools import SchoolRow, store_register
from cases.store import open_store
from engine import api
from test_store import application

YEAR = "2026/27"
# unit code, name, district, pupils, index
REGISTER = [
    ("48213551", "Västbergaskolan", "Hägersten-Älvsjö", 400, 60.0),
    ("42896702", "Adolf Fredriks skola", "Norrmalm", 500, 80.0),
    ("44407924", "Eriksdalsskolan", "Södermalm", 250, 100.0),
    ("46618157", "Hagsätraskolan", "Enskede-Årsta-Vantör", 300, 160.0),
    ("41177203", "Rinkebyskolan", "Rinkeby-Kista", 200, 230.0),
]
UNREGISTERED = ("49929368", "Bagarmossens skola", "Skarpnäck")
RECEIVED = date(2026, 9, 1)
TODAY = date(2026, 12, 31)
# (application id, school unit code, hours a week, days to decision or None: left open)
CASES = [
    ("VS-EQ-001", "41177203", 20, 10),  # level 3: 3 × 28 000 = 84 000
    ("VS-EQ-002", "41177203", 10, 20),  # level 2: 3 × 16 000 = 48 000
    ("VS-EQ-003", "46618157", 10, 30),  # 48 000
    ("VS-EQ-004", "48213551", 3, 5),    # too few hours: avslag (VS-S2)
    ("VS-EQ-005", "44407924", 10, None),  # a proposal no caseworker has confirmed yet
    ("VS-EQ-006", UNREGISTERED[0], 10, 14),  # a school not in the register: 'okänd skola'
]


def register_rows(rows=REGISTER, year: str = YEAR) -> list[SchoolRow]:
    return [SchoolRow(code, year, name, district, pupils, index) for code, name, district, pupils, index in rows]


def raw_case(application_id: str, unit_code: str, hours: float) -> dict:
    names = {code: (name, district) for code, name, district, _, _ in REGISTER}
    names[UNREGISTERED[0]] = UNREGISTERED[1:]
    name, district = names[unit_code]
    amount = 10_000_000  # more than any computed amount: the grant is what the policy computes
    return application(application_id=application_id, received=RECEIVED.isoformat(), school__unit_code=unit_code,
                       school__name=name, school__district=district, period__start_month="2026-10",
                       period__end_month="2026-12", need__extraordinary_hours_per_week=hours,
                       need__share_in_special_group=0.0, requested_amount_sek=amount,
                       pupil__ref=f"EL-{application_id[-3:]}123")


def add_case(store, application_id: str, unit_code: str, hours: float, days: int | None) -> int:
    """Submit one case decided ``days`` after receipt (proposal and confirmation that day)."""
    on = RECEIVED + timedelta(days=days if days is not None else 3)
    app, raw = api.read_application(copy.deepcopy(raw_case(application_id, unit_code, hours)))
    result = workflow.submit(store, app, raw, api.decide(app, on))
    if days is not None:
        workflow.confirm(store, result.case_id, by="Anna Lindqvist", on=on)
    return result.case_id


def build(db: str, cases=CASES, register=REGISTER):
    """The store at ``db`` with the register and the cases."""
    store = open_store(db)
    store_register(store, register_rows(register), "test")
    for case in cases:
        add_case(store, *case)
    return store


def html_tables(page: str) -> dict[str, list[list[str]]]:
    """Every ``<table id=…>`` of a page as rows of cell texts (header row first), whitespace collapsed."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.current, self.row, self.cell = {}, None, None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.current = self.tables.setdefault(dict(attrs).get("id", f"t{len(self.tables)}"), [])
            elif tag == "tr" and self.current is not None:
                self.row = []
                self.current.append(self.row)
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.row.append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "table":
                self.current = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Tables()
    parser.feed(page)
    return parser.tables
