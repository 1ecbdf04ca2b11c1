"""CSI use cases on the case store: run a term's round, release a place, load placements, group figures.

The engine (``engine.csi_api``) decides; ``cases.csi`` stores. What used to be orchestrated in
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
from engine import api, csi_api
from engine.area import load_area
from engine.csi_facts import terms_table
from engine.csi_round import next_term
from engine.errors import EngineError

TERM_CODE = re.compile(r"^(HT|VT)[0-9]{4}$")
ROUND_ACTOR = "stod csi round"
NONE_WAITING, UNCHANGED, CREATED = "none_waiting", "unchanged", "created"


def term(code: str, option: str = "--term"):
    """The term of a code like HT2026, with its dates from rules/; a refusal naming the option otherwise."""
    code = (code or "").strip().upper()
    if not TERM_CODE.match(code):
        raise InputRefused(option, f"expected HT or VT and a year, like HT2026, got {code!r}")
    try:
        return csi_api.term_of(code)
    except (ValueError, EngineError) as error:
        raise InputRefused(option, f"{code} has no CSI term dates in rules/ ({error})") from None


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

    Returns ``(status, round)``: ``created`` and the stored round; ``unchanged`` and the last
    round of the term when the state is what that round left (the same requests waiting, the
    same places taken, the same catalogue), so nothing is ranked, placed or queued twice;
    ``none_waiting`` (and the last round, or None) when no stored request awaits a place.
    """
    area = load_area(csi_api.AREA)
    inputs = stored.round_inputs(store, term.code, term.start, term.end,
                                 (area.index.eligible_outcome, csi_api.WAITING))
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
    if not by or not by.strip():
        raise InputRefused("--by", "ett avslut av en placering kräver en namngiven handläggare")
    day = on or date.today()
    plan = stored.plan_release(store, placement_ref, day)
    offer, skipped = offer_freed_place(plan, day)
    return Release(stored.store_release(store, plan, day, by, offer), skipped, day, by.strip())


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
