"""CSI use cases on the case store: run a term's round, release a place, load placements, group figures.

The engine (``engine.areas.csi.api``) decides; ``cases.csi`` stores. What used to be orchestrated in
the CLI is here, so the web app runs the same rounds and releases.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta

from cases import csi as stored
from cases.errors import InputRefused
from cases.store import sha256_of
from cases.texts import NAME_MAX, checked_text
from engine import api
from engine.areas.csi import api as csi_api
from engine.area import load_area
from engine.areas.csi.facts import terms_table
from engine.areas.csi.round import next_term
from engine.errors import EngineError, IntakeError
from engine.intake import parse_json
from engine.sensitive import contains_personnummer, shown_value

TERM_CODE = re.compile(r"(HT|VT)(19|20|21)[0-9]{2}")
ROUND_ACTOR = "stod csi round"
NONE_WAITING, UNCHANGED, CREATED = "none_waiting", "unchanged", "created"


def term(code: str, option: str = "--term"):
    """The term of a code like HT2026, with its dates from rules/; a refusal naming the option otherwise."""
    code = (code or "").strip().upper()
    if not TERM_CODE.fullmatch(code):
        raise InputRefused(option, f"{shown_value(code)} är ingen termin; ange HT eller VT och ett år, t.ex. "
                                   "HT2026 (år 1900–2199)")
    try:
        return csi_api.term_of(code)
    except (ValueError, EngineError):
        raise InputRefused(option, f"{code} har inga terminsdatum för CSI i regelverket; välj en termin som "
                                   "regelverket har datum för") from None


def placement_term(code: str, day: date, option: str = "--term"):
    """The term of a place a caseworker decides on ``day`` (an override to placering): a term with
    dates in rules/ (``term``) that is at hand or next (``cases.csi.placeable_terms``); a term
    that has ended or lies further ahead is refused naming the option and the terms to choose."""
    of_term = term(code, option)
    stored.check_placeable_term(of_term.code, day, option)
    return of_term


def term_on(day: date):
    """The term a day falls in, or the next one to start (1–31 July falls in none: HT)."""
    area = load_area(csi_api.AREA)
    for kind in ("VT", "HT"):
        found = csi_api.term_of(f"{kind}{day.year}", area)
        if found.start <= day <= found.end:
            return found
    return next_term(day, lambda year: terms_table(area.param, year))


def _fingerprint(term_code: str, requests, taken, groups) -> str:
    """The state a round is run on: requests waiting (id and content), places taken, catalogue."""
    return sha256_of({"term": term_code, "requests": sorted([rid, sha] for rid, sha in requests),
                      "groups": [{**dataclasses.asdict(g), "taken": int(taken.get(g.id, 0))} for g in groups]})


def run_stored_round(store, term, decision_date: date, actor: str = ROUND_ACTOR):
    """Run the round of ``term`` over the stored requests and store it.

    Requests received after ``decision_date`` wait for a later round. Returns ``(status, round)``:
    ``created`` and the stored round; ``unchanged`` and the last
    round of the term when the state is what that round left (the same requests waiting, the
    same places taken, the same catalogue), so nothing is ranked, placed or queued twice;
    ``none_waiting`` (and the last round, or None) when no stored request awaits a place.
    """
    area = load_area(csi_api.AREA)
    inputs = stored.round_inputs(store, term.code, term.start, term.end,
                                 (area.index.eligible_outcome, csi_api.WAITING))
    # A request received after the round's date is not judged in it (no decision before receipt): it waits.
    inputs.requests = [r for r in inputs.requests if date.fromisoformat(str(r.raw["received"])) <= decision_date]
    if not inputs.requests:
        return NONE_WAITING, stored.last_round(store, term.code)
    groups = csi_api.catalogue_for(term, inputs.taken, area)
    now = _fingerprint(term.code, [(r.application_id, r.sha256) for r in inputs.requests], inputs.taken, groups)
    if now == inputs.last_state_sha:
        return UNCHANGED, stored.last_round(store, term.code)
    requests = [api.read_application(r.raw, source=f"ärende {r.case_id}")[0] for r in inputs.requests]
    decided = csi_api.decide_round(term, groups, requests, decision_date)
    sha = {r.application_id: r.sha256 for r in inputs.requests}
    still_waiting = [(rid, sha[rid]) for rid, r in decided.results.items() if r["outcome"] == csi_api.WAITING]
    after = _fingerprint(term.code, still_waiting, decided.round.taken_after, groups)
    return CREATED, stored.store_round(store, inputs, after, decided.decisions, decided.results,
                                       decision_date=decision_date, actor=actor)


def round_message(status: str, term, stored_round) -> str:
    """What to tell the caseworker when a round stored nothing (``unchanged`` or ``none_waiting``)."""
    last = (f" Senaste omgång: {stored_round.seq}, prövad {stored_round.decision_date} "
            f"({stored_round.counts().get('placering', 0)} placerade, {stored_round.counts().get('ko', 0)} i kö)."
            if stored_round else "")
    if status == UNCHANGED:
        return (f"Omgången för {term.code} är redan körd och inget har ändrats sedan dess: samma väntande "
                f"ansökningar och samma tagna platser. Inget nytt sparat.{last}")
    return (f"Inga ansökningar väntar på en placeringsomgång för {term.code}: ingen lagrad ansökan som "
            f"uppfyller villkoren är utan plats. Inget nytt sparat.{last}")


FREED_PLACE_TEXT = (
    "Erbjudande om ledig plats: platsen i gruppen {group} vid {school} (skolenhet {unit}) blev ledig när "
    "en placering i gruppen avslutades i förtid den {released} (eleven återgick till sin hemskola). "
    "Eleven stod först i kön till gruppen för {term_name} ({term}) och erbjuds platsen "
    "{start}–{end}; placeringen följs upp senast {review}. Turordningen nedan gäller erbjudandet av "
    "den lediga platsen; i placeringsomgången hade ansökan plats {rank} i turordningen.")
NEXT_TERM_TEXT = (
    " Platsen blev ledig efter terminens uppföljningsdatum ({freed_review}) och erbjuds därför för nästa "
    "termin, {next_name} ({next_code}).")


def offered_term(released_term, day: date):
    """The term a place freed on ``day`` is offered for: the rest of its own term, or (freed after
    the term's review date, CSI-R4) the next term from its first day."""
    if day <= released_term.review:
        return released_term, False
    area = load_area(csi_api.AREA)
    return next_term(released_term.end + timedelta(days=1), lambda year: terms_table(area.param, year)), True


def offer_freed_place(plan, day: date):
    """The engine's decision for the first in line of the group that ``plan``'s release frees.

    The place is judged as a round of its own: the waiting request against the one group with
    one free place, for the rest of the term (from the day after the release, not before the
    placement would have begun) or, when the place is freed after the term's review date, for
    the next term, so eligibility, the place, the dates and the other-school notice come from
    the rules like any placement. Returns (Offer or None, skipped ids).
    """
    placement = plan.placement
    released_term = csi_api.term_of(placement.term)
    of_term, next_one = offered_term(released_term, day)
    group = next((g for g in csi_api.catalogue_for(of_term) if g.id == placement.group_id), None)
    if group is None:
        return None, []
    start = of_term.start if next_one else max(day + timedelta(days=1), placement.start)
    rest_of_term = dataclasses.replace(of_term, start=start)
    one_free = dataclasses.replace(group, taken=max(0, group.capacity - 1))
    skipped = []
    for waiting in plan.waitlist:
        app, _ = api.read_application(waiting.raw, source=f"ärende {waiting.case_id}")
        decided = csi_api.decide_round(rest_of_term, [one_free], [app], day)
        result = decided.results[waiting.application_id]
        if result["outcome"] != csi_api.PLACED:
            skipped.append((waiting.application_id, result["outcome"]))
            continue
        decision = decided.decisions[waiting.application_id]
        intro = FREED_PLACE_TEXT.format(
            group=group.id, school=group.school_name, unit=group.school_unit_code, released=day,
            term_name=released_term.name, term=released_term.code, start=start, end=of_term.end,
            review=of_term.review, rank=waiting.rank if waiting.rank is not None else "–")
        if next_one:
            intro += NEXT_TERM_TEXT.format(freed_review=released_term.review, next_name=of_term.name,
                                           next_code=of_term.code)
        decision.text = result["text"] = f"{intro}\n\n{decision.text}"
        return stored.Offer(waiting.case_id, decision, result, of_term.code if next_one else None), skipped
    return None, skipped


@dataclass
class Release:
    done: stored.StoredRelease
    skipped: list[tuple[str, str]]  # (application id, outcome) of those first in line who no longer qualify
    day: date
    by: str

    def to_dict(self) -> dict:
        return {**self.done.to_dict(), "skipped": [{"application_id": a, "outcome": o} for a, o in self.skipped]}


def release(store, placement_ref: str | int, *, by: str, on: date | None = None) -> Release:
    """End a placement early and offer the freed place to the first in line who still qualifies."""
    by = checked_text("--by", by, NAME_MAX, empty=stored.RELEASE_BY)  # refused before the placement is read
    day = on or date.today()
    plan = stored.plan_release(store, placement_ref, day)
    offer, skipped = offer_freed_place(plan, day)
    return Release(stored.store_release(store, plan, day, by, offer), skipped, day, by)


@dataclass
class GroupFigures:
    term: object
    rounds: int
    groups: list[dict]


def group_figures(store, term_code: str | None = None, on: date | None = None) -> GroupFigures:
    """Each group's places, places taken, free places and waitlist for a term (by code, or the term of a day)."""
    of_term = term(term_code) if term_code else term_on(on or date.today())
    figures = stored.term_figures(store, of_term.code, of_term.start, of_term.end)
    catalogue = csi_api.catalogue_for(of_term, figures.taken)
    rows = [{"id": g.id, "focus": g.focus, "school_unit_code": g.school_unit_code, "school_name": g.school_name,
             "grades": [g.low, g.high], "capacity": g.capacity, "taken": g.taken, "free": g.free,
             "waitlist": figures.waiting.get(g.id, 0)} for g in sorted(catalogue, key=lambda g: g.id)]
    return GroupFigures(of_term, figures.rounds, rows)


PLACEMENTS_KIND = "csi_placements"


@dataclass
class Loaded:
    loaded: int
    already: int
    by_group: dict[str, int]


def _field(item: dict, name: str, i: int, source: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise IntakeError(f"placements[{i}].{name}", "saknas; ange en text (får inte vara tom)", source)
    return value.strip()


def read_placements(content: bytes | dict, source: str = "") -> list[stored.PlacementToLoad]:
    """A file of pupils already placed (format in docs/csi-placements.md), validated whole."""
    data = content if isinstance(content, dict) else parse_json(content, source)
    if data.get("kind") != PLACEMENTS_KIND:
        raise IntakeError("kind", f"är {shown_value(data.get('kind'))}; en fil med redan placerade elever har kind "
                          f"{PLACEMENTS_KIND!r}", source)
    items = data.get("placements")
    if not isinstance(items, list) or not items:
        raise IntakeError("placements", "saknas; ange en lista (inte tom) av {pupil_ref, group, term, placed_on}",
                          source)
    rows, seen = [], {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise IntakeError(f"placements[{i}]", "ska vara ett objekt {pupil_ref, group, term, placed_on}", source)
        extra = sorted(set(item) - {"pupil_ref", "group", "term", "placed_on"})
        if extra:
            raise IntakeError(f"placements[{i}].{extra[0]}", "är inget fält i det här formatet; ta bort det", source)
        ref = _field(item, "pupil_ref", i, source)
        if contains_personnummer(ref):
            raise IntakeError(f"placements[{i}].pupil_ref", "ser ut som ett personnummer; ange den pseudonyma "
                              "elevreferensen i stället (aldrig ett personnummer)", source)
        try:
            of_term = term(_field(item, "term", i, source), f"placements[{i}].term")
        except InputRefused as error:
            raise IntakeError(error.field, error.problem, source) from None
        group_id = _field(item, "group", i, source)
        catalogue = {g.id for g in csi_api.catalogue_for(of_term)}
        if group_id not in catalogue:
            raise IntakeError(f"placements[{i}].group", f"{shown_value(group_id)} finns inte i katalogen för "
                              f"{of_term.code}; välj en av {', '.join(sorted(catalogue))}", source)
        try:
            placed_on = date.fromisoformat(_field(item, "placed_on", i, source))
        except ValueError:
            raise IntakeError(f"placements[{i}].placed_on", f"{shown_value(item.get('placed_on'))} är inget datum; "
                              "ange datumet som ÅÅÅÅ-MM-DD", source) from None
        if not of_term.start <= placed_on <= of_term.end:
            raise IntakeError(f"placements[{i}].placed_on", f"{placed_on} ligger inte i {of_term.code} "
                              f"({of_term.start}–{of_term.end}); ange en dag inom terminen", source)
        key = (ref, of_term.code)
        if key in seen:
            raise IntakeError(f"placements[{i}]", f"samma elev och termin som placements[{seen[key]}]; ta bort den ena",
                              source)
        seen[key] = i
        rows.append(stored.PlacementToLoad(ref, of_term.code, group_id, placed_on, of_term.end, of_term.review))
    return rows


def load_placements(store, content: bytes | dict, *, by: str, source: str = "") -> Loaded:
    """Load pupils already placed before the first stored round; a round then counts their places as taken."""
    rows = read_placements(content, source)
    capacity = {}
    for code in {r.term for r in rows}:
        capacity.update({g.id: g.capacity for g in csi_api.catalogue_for(term(code))})
    loaded, already = stored.load_placements(store, rows, capacity, by=by, source=source)
    by_group: dict[str, int] = {}
    for r in rows:
        by_group[r.group_id] = by_group.get(r.group_id, 0) + 1
    return Loaded(loaded, already, dict(sorted(by_group.items())))
