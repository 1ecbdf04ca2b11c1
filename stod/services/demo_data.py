"""Realistic verksamhetsstöd applications, and the demo that runs them through the workflow.

``generate_applications(count, seed)`` gives applications as the e-service would send them:
about twenty municipal schools across Stockholm's districts, receipts over 2026 and 2027 (so
both rate years are used), and the mistakes real applications have (missing or old
documents, ordinary measures only, too few hours, an assistant principal applying, an
independent school), so every outcome occurs. The policy's numbers come from the rules'
parameters, never from here. Deterministic: the same seed gives the same applications.

``run_demo`` submits them, completes most completion requests, confirms the proposals
with named caseworkers on realistic dates (receipt + days, not today) and overrides a few.
Benchmarks use ``generate_applications`` too.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from engine.area import load_area
from engine.dates import Month

AREA = "verksamhetsstod"
FIRST_RECEIPT, LAST_RECEIPT = date(2026, 1, 5), date(2027, 12, 10)
DEMO_AS_OF = date(2027, 12, 31)  # the demo's "today": cases received in the last weeks stay open

# (unit code, name, district, socioeconomic index); unit codes are made up, 8 digits.
SCHOOLS = [
    ("48213551", "Västbergaskolan", "Hägersten-Älvsjö", 96.0),
    ("48213562", "Aspuddens skola", "Hägersten-Älvsjö", 88.0),
    ("41177203", "Rinkebyskolan", "Rinkeby-Kista", 231.0),
    ("41177214", "Kista grundskola", "Rinkeby-Kista", 178.0),
    ("43319025", "Hjulstaskolan", "Spånga-Tensta", 214.0),
    ("43319036", "Spånga grundskola", "Spånga-Tensta", 104.0),
    ("45561247", "Blackebergsskolan", "Hässelby-Vällingby", 79.0),
    ("45561258", "Vällingbyskolan", "Hässelby-Vällingby", 121.0),
    ("47702469", "Äppelviksskolan", "Bromma", 52.0),
    ("47702470", "Nyängsskolan", "Bromma", 74.0),
    ("42285681", "Kungsholmens grundskola", "Kungsholmen", 61.0),
    ("42896702", "Adolf Fredriks skola", "Norrmalm", 58.0),
    ("42896713", "Engelbrektsskolan", "Östermalm", 55.0),
    ("44407924", "Eriksdalsskolan", "Södermalm", 66.0),
    ("44407935", "Sofia skola", "Södermalm", 70.0),
    ("46618146", "Enskedefältets skola", "Enskede-Årsta-Vantör", 83.0),
    ("46618157", "Hagsätraskolan", "Enskede-Årsta-Vantör", 162.0),
    ("49929368", "Bagarmossens skola", "Skarpnäck", 139.0),
    ("40030580", "Farsta grundskola", "Farsta", 127.0),
    ("40141791", "Sätraskolan", "Skärholmen", 188.0),
]
# Schools in the demo's register that send no applications (most of a city's schools do not
# apply in a given year); they count in the equity follow-up's pupils and index bands.
REGISTER_ONLY = [
    ("48213573", "Mälarhöjdens skola", "Hägersten-Älvsjö", 57.0),
    ("41177225", "Husbyskolan", "Rinkeby-Kista", 246.0),
    ("43319047", "Tensta grundskola", "Spånga-Tensta", 222.0),
    ("45561269", "Hässelby Villastads skola", "Hässelby-Vällingby", 63.0),
    ("47702481", "Ålstensskolan", "Bromma", 45.0),
    ("42285692", "Fridhemsskolan", "Kungsholmen", 68.0),
    ("44407946", "Högalidsskolan", "Södermalm", 72.0),
    ("46618168", "Rågsveds grundskola", "Enskede-Årsta-Vantör", 196.0),
    ("49929379", "Skarpnäcksskolan", "Skarpnäck", 92.0),
    ("40030591", "Hökarängsskolan", "Farsta", 148.0),
]
# Independent schools sometimes apply here by mistake (they apply for tilläggsbelopp).
INDEPENDENT = [("50011102", "Friskolan Mälarhöjden", "Hägersten-Älvsjö", 64.0)]

NEEDS = [
    "Eleven har stora svårigheter med impulskontroll och behöver kontinuerligt stöd av assistent i och utanför klassrummet.",
    "Eleven behöver en vuxen nära under hela skoldagen för att kunna delta i undervisningen och i övergångar mellan aktiviteter.",
    "Eleven har omfattande kommunikationssvårigheter och behöver en resurs med kunskap i alternativ kommunikation.",
    "Eleven har en fysisk funktionsnedsättning och behöver assistans vid förflyttning, måltider och i praktiska ämnen.",
    "Eleven hamnar ofta i konflikter och behöver stöd av en vuxen för att lösa dem och för att klara raster och utflykter.",
    "Eleven har hög frånvaro och behöver individuellt anpassad undervisning med en vuxen för att kunna återgå till skolan.",
    "Eleven behöver enskild undervisning större delen av dagen och en assistent som följer eleven mellan lektionerna.",
]
DIAGNOSES = ["autism", "adhd", "add", "språkstörning", "intellektuell funktionsnedsättning", "cp", "epilepsi",
             "dyslexi", "tourettes syndrom"]
APPLICANTS = ["Karin Holm", "Ali Yilmaz", "Lena Sjöberg", "Per Åkesson", "Maria Nilsson", "Johan Ek"]
CASEWORKERS = ["Anna Lindqvist", "Mohammed Hassan", "Eva Bergström", "Jonas Nyberg", "Sara Karlsson"]


_AREA_CACHE: list = []


def _param(name: str, day: date):
    # Loaded once per process: load_area re-hashes every rule file on each call.
    if not _AREA_CACHE:
        _AREA_CACHE.append(load_area(AREA))
    return _AREA_CACHE[0].param(name, day)


def _estimate(hours: float, on: date, months: int) -> int:
    """What a principal would ask for: the level's monthly rate times the months (a rough guess)."""
    levels = sorted(_param("level_hours", on), key=lambda row: row["from_hours"])
    level = max((row["level"] for row in levels if hours >= row["from_hours"]), default=levels[0]["level"])
    rates = _param("monthly_amount_by_level", on)
    return int(rates[level]) * months


def _add_months(month: Month, n: int) -> Month:
    index = month.year * 12 + month.month - 1 + n
    return Month(index // 12, index % 12 + 1)


def _days_back(rng: random.Random, day: date, low: int, high: int) -> str:
    return (day - timedelta(days=rng.randint(low, high))).isoformat()


def _requested_period(rng: random.Random, received: date) -> tuple[Month, Month]:
    """Usually from the next month to the end of the läsår, sometimes a start before receipt
    (cut by VS-P1), a whole year (cut by VS-P3) or a period wholly before receipt (VS-P2)."""
    roll = rng.random
    start = _add_months(Month.of(received), rng.choice([0, 1, 1, 2]))
    if roll() < 0.12:
        start = _add_months(Month.of(received), -rng.randint(1, 3))
    if roll() < 0.15:
        end = _add_months(start, 11)
    else:
        end = Month(start.year if start.month <= 6 else start.year + 1, 6)
        if end < start:
            end = _add_months(start, 4)
    if roll() < 0.02:  # a period that lies wholly before receipt (VS-P2)
        end = _add_months(Month.of(received), -1)
        start = _add_months(end, -3)
    return start, end


def _documents(rng: random.Random, received: date, renewal: bool) -> dict:
    """The dated documents: mostly current, now and then missing, too old or unsigned."""
    roll = rng.random
    ap_months = int(_param("atgardsprogram_max_age_months", received))
    ut_months = int(_param("utredning_max_age_months", received))
    ap = None if roll() < 0.05 else {
        "date": _days_back(rng, received, 10, ap_months * 30 + (60 if roll() < 0.04 else -20)),
        "signed_by_rektor": roll() > 0.04}
    utredning = None if roll() < 0.05 else {
        "date": _days_back(rng, received, 20, ut_months * 30 + (90 if roll() < 0.03 else -40))}
    eval_ea = None if roll() < 0.05 else {"date": _days_back(rng, received, 5, 120)}
    previous = ({"date": _days_back(rng, received, 5, 60)} if renewal and roll() > 0.12 else None)
    return {"atgardsprogram": ap, "utredning": utredning, "extra_anpassningar_utvardering": eval_ea,
            "foregaende_period_utvardering": previous}


def generate_application(rng: random.Random, number: int, received: date) -> dict:
    """One application received on a day, with the variety real applications have."""
    roll = rng.random
    least = float(_param("least_extensive_hours", received))
    extraordinary = list(_param("extraordinary_measures", received))
    ordinary = list(_param("ordinary_measures", received))
    share_limit = float(_param("special_group_share", received))

    school = rng.choice(INDEPENDENT) if roll() < 0.02 else rng.choice(SCHOOLS)
    organizer = "fristaende" if school in INDEPENDENT else "kommunal"
    role = "rektor" if roll() > 0.03 else rng.choice(["bitradande_rektor", "specialpedagog"])
    grade = rng.randint(0, 9) if roll() > 0.01 else 10
    renewal = roll() < 0.25

    start, end = _requested_period(rng, received)

    if roll() < 0.04:
        hours = max(0.0, least - rng.choice([0.5, 1.0, 2.0, 3.0]))
    else:
        hours = float(rng.choice([least, least + 1, 8, 10, 12, 15, 18, 20, 22, 25, 28, 30, 35, 40]))
    share = round(rng.uniform(share_limit, 1.0), 2) if roll() < 0.18 else round(rng.uniform(0, 0.4), 2)
    if roll() < 0.06:
        measures = rng.sample(ordinary, rng.randint(1, 2))
    else:
        measures = [rng.choice(extraordinary)] + (rng.sample(ordinary, 1) if roll() < 0.3 else [])

    documents = _documents(rng, received, renewal)

    months = max(1, (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1)
    estimate = _estimate(hours, received, months) if hours >= least else 50_000
    requested = max(5_000, int(round(estimate * rng.choice([0.5, 0.7, 0.85, 1.0, 1.0, 1.2, 1.5]), -3)))
    ref_number = rng.randint(100000, 999999)
    return {
        "kind": AREA,
        "application_id": f"VS-{received.year}-{number:05d}",
        "received": received.isoformat(),
        "school": {"unit_code": school[0], "name": school[1], "district": school[2], "municipality": "Stockholm",
                   "organizer": organizer, "socioeconomic_index": school[3]},
        "applicant": {"role": role, "name": rng.choice(APPLICANTS)},
        "pupil": {"ref": f"EL-{ref_number}", "grade": grade},
        "renewal": renewal,
        "previous_decision_id": f"VS-{received.year - 1}-{rng.randint(1, 9999):05d}" if renewal else None,
        "period": {"start_month": str(start), "end_month": str(end)},
        "need": {"description": "" if roll() < 0.03 else rng.choice(NEEDS),
                 "diagnoses": rng.sample(DIAGNOSES, rng.randint(0, 2)),
                 "measures": measures, "extraordinary_hours_per_week": hours,
                 "share_in_special_group": share},
        "documents": {**documents, "vardnadshavare_informerade": roll() > 0.04},
        "requested_amount_sek": requested,
    }


def generate_applications(count: int, seed: int = 1, first: date = FIRST_RECEIPT,
                          last: date = LAST_RECEIPT, make: Callable = None) -> list[dict]:
    """``count`` applications with receipts spread from ``first`` to ``last``, oldest first.

    ``make(rng, number, received)`` makes one (verksamhetsstöd by default).
    """
    rng = random.Random(seed)
    span = (last - first).days
    days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count))
    return [(make or generate_application)(rng, i + 1, day) for i, day in enumerate(days)]


def fresh_documents(raw: dict, on: date) -> dict:
    """A completion as the school would send it: every document, recent and signed."""
    docs = {
        "atgardsprogram": {"date": (on - timedelta(days=3)).isoformat(), "signed_by_rektor": True},
        "utredning": {"date": (on - timedelta(days=20)).isoformat()},
        "extra_anpassningar_utvardering": {"date": (on - timedelta(days=5)).isoformat()},
        "vardnadshavare_informerade": True,
    }
    if raw.get("renewal"):
        docs["foregaende_period_utvardering"] = {"date": (on - timedelta(days=7)).isoformat()}
    return {"received": on.isoformat(), "documents": docs}


# -- the demo -----------------------------------------------------------------------------


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=timezone.utc)


@dataclass
class DemoRun:
    submitted: int = 0
    already: int = 0
    refused: list[str] = field(default_factory=list)
    completed: int = 0
    confirmed: int = 0
    overridden: int = 0
    left_open: int = 0


# (from outcome, to outcome, reason code, reason): the overrides a caseworker makes now and then.
OVERRIDES = [
    ("avslag", "bifall", "SARSKILDA_SKAL",
     "Elevens behov ökar under terminen enligt skolans nya underlag; stöd beviljas trots timantalet."),
    ("delvis_bifall", "bifall", "UNDERLAG_KOMPLETTERAT",
     "Skolan har per telefon visat att perioden före mottagandet redan var planerad med huvudmannen."),
    ("bifall", "delvis_bifall", "FELAKTIGA_UPPGIFTER",
     "Timantalet i ansökan stämmer inte med åtgärdsprogrammet; beloppet sänks."),
    ("avvisning", "avslag", "REGELTOLKNING",
     "Ansökan är i sak prövad; utgången blir avslag eftersom stödet inte är extraordinärt."),
]


def run_demo(store, count: int, seed: int, *, intake: Callable, decide: Callable) -> DemoRun:
    """Submit, complete, confirm and override as a month of casework would, on demo dates.

    ``intake(raw) -> (app, raw)`` and ``decide(app, day) -> Decision`` are the engine's.
    The applications are stored as ``stod submit`` stores them, a chunk per transaction
    (``cases.batch``), each at its own time; then each case is completed and decided in turn.
    Idempotent: a case that is already stored is left as it is, so a second run with the
    same seed adds nothing.
    """
    from cases import workflow as W

    run = DemoRun()
    for raw, rng, decided, result in _submitted(store, count, seed, intake, decide):
        if not result.created:
            run.already += 1
            continue
        run.submitted += 1
        case_id, outcome, status = result.case_id, result.outcome, result.status
        if status == "komplettering_begard":
            answered = decided + timedelta(days=rng.randint(4, 13))
            if rng.random() < 0.12:  # never answered: dismissed some days after the deadline
                answered = None
                decided += timedelta(days=rng.randint(16, 25))
            elif answered > DEMO_AS_OF:
                run.left_open += 1
                continue
        if status == "komplettering_begard" and answered is not None:
            decided = answered + timedelta(days=rng.randint(1, 6))
            done = W.add_documents(store, case_id, fresh_documents(raw, answered), intake,
                                   lambda a, d=decided: decide(a, d), at=_at(decided, rng), source="stod demo")
            run.completed += 1
            outcome, status = done.outcome, done.status
            if status == "komplettering_begard":  # asked again and never answered: closed after that deadline
                decided += timedelta(days=rng.randint(16, 25))
        if decided > DEMO_AS_OF or (decided > DEMO_AS_OF - timedelta(days=10) and rng.random() < 0.5):
            # the last proposals of the year wait for a caseworker
            run.left_open += 1
            continue
        _decide(store, run, rng, raw["application_id"], case_id, outcome, status, decided)
    return run


def _submitted(store, count: int, seed: int, intake: Callable, decide: Callable):
    """Each generated application stored (decided on its own day, received at its own time):
    (raw, its random generator, the day it is decided, the store's answer), in order."""
    from cases.batch import CHUNK, Received, already_stored, store_received
    from cases.errors import DuplicateApplication

    planned = []
    for raw in generate_applications(count, seed):
        rng = random.Random(f"{seed}:{raw['application_id']}")
        received = date.fromisoformat(raw["received"])
        decided = received + timedelta(days=rng.choice([3, 5, 7, 9, 12, 14, 16, 19, 21, 24, 27, 31, 38, 45]))
        app, raw = intake(raw)
        planned.append((app, raw, rng, decided, _at(_proposed_on(decided), rng)))
    for start in range(0, len(planned), CHUNK):
        chunk = planned[start:start + CHUNK]
        items = [Received(raw, source="stod demo", at=at) for _, raw, _, _, at in chunk]
        for item, stored, (app, _, _, decided, _) in zip(items, already_stored(store, items), chunk):
            if not stored:
                item.decision = decide(app, _proposed_on(decided))
        for (_, raw, rng, decided, _), result in zip(chunk, store_received(store, items)):
            if isinstance(result, DuplicateApplication):
                raise result
            yield raw, rng, decided, result


def _proposed_on(decided: date) -> date:
    """The day of a case's proposal: the day a caseworker decides it, and for a case that stays open
    on the demo's day (decided after it) that day at the latest: a proposal dated after it could not
    be decided in the demo's web app."""
    return min(decided, DEMO_AS_OF)


def _decide(store, run: DemoRun, rng: random.Random, application_id: str, case_id: int, outcome: str, status: str,
            decided: date) -> None:
    """A named caseworker decides: dismisses an unanswered completion, overrides now and then, else confirms."""
    from cases import workflow as W
    from cases.errors import CaseError

    caseworker = rng.choice(CASEWORKERS)
    at = _at(decided, rng)
    try:
        if status == "komplettering_begard":
            W.override(store, case_id, outcome="avvisning", reason_code="KOMPLETTERING_UTEBLEV",
                       reason="Begärd komplettering kom inte in inom tidsfristen.", by=caseworker,
                       on=decided, at=at, outcomes=_outcomes())
            run.overridden += 1
            return
        planned = next((o for o in OVERRIDES if o[0] == outcome), None)
        terms = _override_terms(store, case_id, planned[1], decided) if planned and rng.random() < 0.05 else None
        if terms is not None:
            W.override(store, case_id, outcome=terms.outcome_title_code, reason_code=planned[2],
                       reason=planned[3], by=caseworker, on=decided, at=at, outcomes=_outcomes(),
                       terms=terms.terms)
            run.overridden += 1
        else:
            W.confirm(store, case_id, by=caseworker, on=decided, at=at)
            run.confirmed += 1
    except CaseError as error:
        run.refused.append(f"{application_id}: {error}")


def _outcomes() -> tuple[str, ...]:
    from .areas import override_outcomes

    return override_outcomes(AREA)


@dataclass
class _Planned:
    outcome_title_code: str
    terms: object


def _override_terms(store, case_id: int, to: str, on: date) -> _Planned | None:
    """The terms a caseworker gives when overriding, checked like any override (None: confirm instead).

    A grant is what was asked for from the month of receipt on, or a fifth less; ``bifall`` only
    when that is the whole request, as the policy says.
    """
    from cases import workflow as W
    from engine import api
    from engine.errors import IntakeError

    from .areas import area_of

    area = area_of(AREA)
    title = area.index.outcome_titles.get(to, to)
    if to not in ("bifall", "delvis_bifall"):
        return _Planned(to, W.OverrideTerms(outcome_title=title))
    raw = W.current_raw(store, case_id)
    app, _ = api.read_application(raw)
    proposal = api.decide(app, on)
    requested = int(raw["requested_amount_sek"])
    start = max(Month.parse(raw["period"]["start_month"]), Month.of(app.received))
    end = Month.parse(raw["period"]["end_month"])
    level = proposal.level or 1
    amount = requested if to == "bifall" else int(round((proposal.amount_sek or requested) * 0.8, -3))
    for outcome in (to, "delvis_bifall"):
        try:
            g = area.spec.grant_terms(area, app, proposal, outcome, level, f"{start}..{end}", amount)
        except IntakeError:
            continue
        return _Planned(outcome, W.OverrideTerms(g.amount_sek, g.level, g.start_month, g.end_month, g.computed_sek,
                                                 outcome_title=area.index.outcome_titles.get(outcome, outcome)))
    return None


# -- CSI requests --------------------------------------------------------------------------

CSI_AREA = "csi"


def generate_csi_request(rng: random.Random, number: int, received: date) -> dict:
    """One CSI placement request received on a day, with the flaws real requests have."""
    roll = rng.random
    area = load_area(CSI_AREA)
    focus_areas = list(area.param("focus_areas", received))
    report_types = area.param("specialist_report_types", received)
    ap_months = int(area.param("atgardsprogram_max_age_months", received))
    ut_months = int(area.param("utredning_max_age_months", received))
    sp_months = int(area.param("specialistutlatande_max_age_months", received))
    catalogue = area.param("catalogue", received)

    school = rng.choice(INDEPENDENT) if roll() < 0.02 else rng.choice(SCHOOLS)
    focus = rng.choice(focus_areas) if roll() > 0.03 else "DYSLEXI"
    fitting = [g for g in catalogue if g["focus"] == focus]
    if fitting and roll() > 0.05:
        group = rng.choice(fitting)
        grade = rng.randint(group["grades"][0], group["grades"][1])
    else:
        grade = rng.randint(0, 9)
    preferred = [g["id"] for g in rng.sample(fitting, min(len(fitting), rng.randint(0, 2)))]
    types = list(report_types.get(focus, [])) or ["psykolog"]
    specialist = None if roll() < 0.05 else {
        "type": rng.choice(types) if roll() > 0.05 else "kurator",
        "date": _days_back(rng, received, 20, sp_months * 30 + (90 if roll() < 0.03 else -40))}
    return {
        "kind": CSI_AREA,
        "application_id": f"CSI-{received.year}-{number:05d}",
        "received": received.isoformat(),
        "school": {"unit_code": school[0], "name": school[1], "district": school[2], "municipality": "Stockholm",
                   "organizer": "fristaende" if school in INDEPENDENT else "kommunal",
                   "socioeconomic_index": school[3]},
        "applicant": {"role": "rektor" if roll() > 0.03 else "bitradande_rektor", "name": rng.choice(APPLICANTS)},
        "pupil": {"ref": f"EL-{rng.randint(100000, 999999)}", "grade": grade},
        "focus": focus,
        "preferred_groups": preferred,
        "assessed_need_level": None if roll() < 0.08 else rng.randint(1, 5),
        "documents": {
            "atgardsprogram": None if roll() < 0.05 else {
                "date": _days_back(rng, received, 10, ap_months * 30 + (60 if roll() < 0.04 else -20)),
                "signed_by_rektor": roll() > 0.04},
            "utredning": None if roll() < 0.05 else {
                "date": _days_back(rng, received, 20, ut_months * 30 + (90 if roll() < 0.03 else -40))},
            "beslut_sarskild_undervisningsgrupp": None if roll() < 0.05 else {
                "date": _days_back(rng, received, 1, 60), "sarskilda_skal": roll() > 0.05},
            "specialistutlatande": specialist,
            "vardnadshavare_delaktiga": roll() > 0.04,
            "lagre_niva_provad": roll() > 0.04,
        },
    }


def generate_csi_requests(count: int, seed: int = 1, first: date = FIRST_RECEIPT,
                          last: date = LAST_RECEIPT) -> list[dict]:
    """``count`` CSI requests with receipts spread from ``first`` to ``last``, oldest first."""
    return generate_applications(count, seed, first, last, make=generate_csi_request)
