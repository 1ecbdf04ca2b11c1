"""The equity follow-up: where the money and the places go, school by school, against the index.

Per group (index band, district or school) of the school register: applications and CSI
placements per 100 pupils, the share of decided applications granted, money granted in total
and per pupil, the median and 90th percentile processing days, the komplettering rate,
overrides, CSI requests, placements and waitlist, all by the pupil's home school (the school
that applied).

The cases, days and money are those of ``stod stats`` (``reports.stats.members`` and
``summarise``: the same reading of the store and the one processing-time statistic), so the
totals are equal to ``stod stats`` over the same period.

Choices (documented in ``docs/equity.md``):
- One register year per report, the *reference year*: the läsår the period ends in (``--to``,
  else the last receipt among the cases, else today), or the register's latest year before it
  (its earliest when it has none before). Pupils, index, name and district come from that year.
- Bands are the quintiles of the index over the reference year's schools: the edges are the
  nearest-rank 20th, 40th, 60th and 80th percentiles (``engine.processing.percentile``), band 1
  the lowest index (the least socioeconomic need), band 5 the highest. Equal indices share a band.
- A case whose school is not in the reference year's register (an independent school applying by
  mistake, a new unit) goes to the group ``okänd skola`` whatever the grouping, never dropped:
  it counts in the totals, but no per-pupil figure can be given for it, and the total's
  per-pupil figures are over the register's schools only.
- The index is context (VS-I1): nothing here decides anything.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from cases.schools import SchoolRow, register_rows, register_sources, school_year_of
from engine.processing import percentile

from .stats import Member, members, summarise

BY = ("band", "district", "school")
UNKNOWN = "okänd skola"
BANDS = 5
VS, CSI = "verksamhetsstod", "csi"


class NoRegister(Exception):
    """The store holds no school register: import one first (``stod schools import``)."""


@dataclass
class EquityGroup:
    key: str
    schools: int = 0
    pupils: int | None = None
    index_min: float | None = None
    index_max: float | None = None
    band: int | None = None
    cases: int = 0
    applications: int = 0
    applications_per_100: float | None = None
    decided: int = 0
    decided_applications: int = 0
    granted_cases: int = 0
    share_granted: float | None = None
    granted_sek: int = 0
    granted_sek_per_pupil: int | None = None
    median_days: int | None = None
    p90_days: int | None = None
    cases_with_completion: int = 0
    completion_rate: float | None = None
    overrides: int = 0
    past_target: int = 0
    open: int = 0
    csi_requests: int = 0
    placements: int = 0
    placements_per_100: float | None = None
    waitlist: int = 0


@dataclass
class Register:
    """The reference year's register: one row per school, and the band edges over it."""

    school_year: str
    schools: dict[str, SchoolRow]
    edges: list[float]
    demo: bool

    def band_of(self, index: float) -> int:
        return 1 + sum(1 for edge in self.edges if index > edge)

    def band_ranges(self) -> list[dict]:
        """Each band's index range as the register has it: ``{band, from, to, schools}``."""
        out = []
        for band in range(1, BANDS + 1):
            indices = [s.socioeconomic_index for s in self.schools.values() if self.band_of(s.socioeconomic_index) == band]
            out.append({"band": band, "from": min(indices) if indices else None, "to": max(indices) if indices else None,
                        "schools": len(indices)})
        return out


@dataclass
class EquityReport:
    by: str
    today: str
    date_from: str | None
    date_to: str | None
    register: Register
    groups: list[EquityGroup]
    total: EquityGroup
    terms: dict[str, dict[str, int]] = field(default_factory=dict)  # term → group key → granted kr

    def to_dict(self) -> dict:
        out = {"by": self.by, "today": self.today, "from": self.date_from, "to": self.date_to,
               "school_year": self.register.school_year, "demo_register": self.register.demo,
               "total": asdict(self.total), "groups": [asdict(g) for g in self.groups]}
        if self.by == "band":
            out["band_edges"] = self.register.edges
            out["bands"] = self.register.band_ranges()
        return out


def load_register(session: Session, reference: date) -> Register:
    """The register of the reference year (or the nearest year it holds), with its band edges."""
    rows = register_rows(session)
    if not rows:
        raise NoRegister("skolregistret är tomt; läs in det med stod schools import FIL (se docs/equity.md)")
    wanted = school_year_of(reference)
    years = sorted({r.school_year for r in rows})
    earlier = [y for y in years if y <= wanted]
    year = earlier[-1] if earlier else years[0]
    schools = {r.unit_code: r for r in rows if r.school_year == year}
    indices = [s.socioeconomic_index for s in schools.values()]
    edges = [percentile(indices, 100 * k / BANDS) for k in range(1, BANDS)]
    return Register(year, schools, edges, "demo" in register_sources(session))


def _csi_figures(session: Session) -> tuple[set[int], set[int]]:
    """Cases with a CSI place (from a round or an offer), and cases still on a waitlist."""
    from cases.csi import W_WAITING, CsiPlacement, CsiWaitlistEntry

    placed = set(session.execute(select(CsiPlacement.case_id)).scalars())
    waiting = set(session.execute(select(CsiWaitlistEntry.case_id).where(CsiWaitlistEntry.status == W_WAITING))
                  .scalars()) - placed
    return placed, waiting


def term_of(day: date) -> str:
    """The term a day falls in: VT January–June, HT July–December (the summer goes with the autumn)."""
    return f"{'VT' if day.month <= 6 else 'HT'}{day.year}"


def _rate(part: int, whole: int | None, per: int = 1, digits: int = 3) -> float | None:
    return round(part * per / whole, digits) if whole else None


def group_figures(key: str, group: list[Member], schools: list[SchoolRow], today: date,
                  placed: set[int], waiting: set[int], counted: list[Member] | None = None) -> EquityGroup:
    """One group's figures; ``counted`` are the cases the per-pupil figures count (default all)."""
    base = summarise(key, group, today)
    g = EquityGroup(key, cases=base.cases, decided=base.decided, granted_cases=base.granted_cases,
                    granted_sek=base.granted_sek, median_days=base.median_days, p90_days=base.p90_days,
                    cases_with_completion=base.cases_with_completion, past_target=base.past_target, open=base.open)
    g.schools = len(schools) if schools else len({m.case.school_unit_code for m in group})
    g.pupils = sum(s.pupils for s in schools) if schools else None
    if schools:
        g.index_min = min(s.socioeconomic_index for s in schools)
        g.index_max = max(s.socioeconomic_index for s in schools)
    for m in group:
        final = m.record is not None and m.case.status == "beslutad"
        if m.case.kind == VS:
            g.applications += 1
            g.decided_applications += m.decided_on is not None
        elif m.case.kind == CSI:
            g.csi_requests += 1
        g.overrides += bool(final and m.record.override_reason_code)
        g.placements += m.case.id in placed
        g.waitlist += m.case.id in waiting
    g.share_granted = _rate(g.granted_cases, g.decided_applications)
    g.completion_rate = _rate(g.cases_with_completion, g.cases)
    counted = group if counted is None else counted
    applications = sum(1 for m in counted if m.case.kind == VS)
    granted = sum(m.record.amount_sek or 0 for m in counted
                  if m.record is not None and m.case.status == "beslutad")
    g.applications_per_100 = _rate(applications, g.pupils, 100, 2)
    g.placements_per_100 = _rate(sum(1 for m in counted if m.case.id in placed), g.pupils, 100, 2)
    g.granted_sek_per_pupil = round(granted / g.pupils) if g.pupils else None
    return g


def _key(by: str, register: Register, school: SchoolRow | None) -> str:
    if school is None:
        return UNKNOWN
    if by == "band":
        return f"band {register.band_of(school.socioeconomic_index)}"
    if by == "district":
        return school.district
    return f"{school.name} ({school.unit_code})"


def _sort_key(key: str) -> tuple:
    return (key == UNKNOWN, key)


def equity(session: Session, by: str = "band", date_from: date | None = None, date_to: date | None = None,
           today: date | None = None) -> EquityReport:
    """The follow-up for cases received in the period, grouped by band, district or school."""
    if by not in BY:
        raise ValueError(by)
    today = today or date.today()
    cases = members(session, date_from, date_to, today)
    reference = date_to or max((m.case.received for m in cases), default=today)
    register = load_register(session, reference)
    placed, waiting = _csi_figures(session)

    grouped: dict[str, list[Member]] = defaultdict(list)
    schools_of: dict[str, list[SchoolRow]] = defaultdict(list)
    for school in register.schools.values():
        schools_of[_key(by, register, school)].append(school)
    for m in cases:
        grouped[_key(by, register, register.schools.get(m.case.school_unit_code))].append(m)
    keys = sorted(set(schools_of) | set(grouped), key=_sort_key)
    groups = [group_figures(k, grouped[k], schools_of.get(k, []), today, placed, waiting) for k in keys]
    if by == "band":
        for g in groups:
            g.band = int(g.key.split()[1]) if g.key != UNKNOWN else None
    known = [m for k, ms in grouped.items() if k != UNKNOWN for m in ms]
    total = group_figures("alla", cases, list(register.schools.values()), today, placed, waiting, counted=known)
    total.schools += len({m.case.school_unit_code for m in grouped.get(UNKNOWN, [])})
    terms: dict[str, dict[str, int]] = defaultdict(dict)
    for k, ms in grouped.items():
        for m in ms:
            if m.record is not None and m.case.status == "beslutad" and m.record.amount_sek and m.decided_on:
                term = terms[term_of(m.decided_on)]
                term[k] = term.get(k, 0) + m.record.amount_sek
    return EquityReport(by, today.isoformat(), date_from and date_from.isoformat(), date_to and date_to.isoformat(),
                        register, groups, total, dict(sorted(terms.items(), key=lambda kv: (kv[0][2:], kv[0][:2] == "HT"))))


# -- one school over the terms (the skolblad) -------------------------------------------------


@dataclass
class TermRow:
    term: str
    school: EquityGroup
    band: EquityGroup
    city: EquityGroup


@dataclass
class OpenCase:
    case_id: int
    application_id: str
    kind: str
    status: str
    received: str
    days: int


@dataclass
class Skolblad:
    school: SchoolRow
    band: int
    band_edges: list[float]
    school_year: str
    demo: bool
    today: str
    whole: TermRow
    terms: list[TermRow]
    open_cases: list[OpenCase]

    def to_dict(self) -> dict:
        return asdict(self)


class UnknownSchool(Exception):
    """No school with that unit code in the register."""


def skolblad(session: Session, unit_code: str, today: date | None = None) -> Skolblad:
    """One school's figures per term against its band and the city, and its open cases.

    Open cases are listed with their number, kind, status, receipt and days waited only:
    nothing about the pupil (no diagnoses, no pupil reference).
    """
    from cases.models import OPEN_STATES

    today = today or date.today()
    cases = members(session, today=today)
    reference = max((m.case.received for m in cases), default=today)
    register = load_register(session, reference)
    school = register.schools.get(unit_code)
    if school is None:
        raise UnknownSchool(unit_code)
    band = register.band_of(school.socioeconomic_index)
    band_schools = [s for s in register.schools.values() if register.band_of(s.socioeconomic_index) == band]
    band_codes = {s.unit_code for s in band_schools}
    placed, waiting = _csi_figures(session)

    def row(term: str, ms: list[Member]) -> TermRow:
        own = [m for m in ms if m.case.school_unit_code == unit_code]
        in_band = [m for m in ms if m.case.school_unit_code in band_codes]
        city = [m for m in ms if m.case.school_unit_code in register.schools]
        return TermRow(term, group_figures(school.name, own, [school], today, placed, waiting),
                       group_figures(f"band {band}", in_band, band_schools, today, placed, waiting),
                       group_figures("staden", city, list(register.schools.values()), today, placed, waiting))

    by_term: dict[str, list[Member]] = defaultdict(list)
    for m in cases:
        by_term[term_of(m.decided_on or m.case.received)].append(m)
    terms = [row(t, by_term[t]) for t in sorted(by_term, key=lambda t: (t[2:], t[:2] == "HT"))]
    open_cases = [OpenCase(m.case.id, m.case.application_id, m.case.kind, m.case.status, m.case.received.isoformat(),
                           m.days)
                  for m in cases if m.case.school_unit_code == unit_code and m.case.status in OPEN_STATES]
    return Skolblad(school, band, register.edges, register.school_year, register.demo, today.isoformat(),
                    row("hela perioden", cases), terms, open_cases)
