"""The facts of CSI, derived from a request and, after a round, from what the round did with it.

``FactContext.extra`` is a :class:`CsiContext`: the catalogue the request is judged against
(a round's own, or the catalogue in ``rules/`` at the term's start) and, once the round has
run, the request's :class:`~engine.csi_round.RequestResult`. Without it (a request checked
alone) the catalogue is the one in force at the start of the first term after receipt and
the round facts say that no round has run, so the round rules are not applicable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .round import Group, RequestResult, RoundResult, Term, catalogue_groups, next_term
from ...facts import (
    APPLICATION_DEFS,
    application_facts,
    dated_document,
    DOCUMENT_DEFS,
    document_facts,
    FactContext,
    FactDef,
    FactSet,
)


@dataclass(frozen=True)
class CsiContext:
    """What a CSI request is judged with beside itself."""

    term: Term
    groups: tuple[Group, ...]
    round: RoundResult | None = None  # None: eligibility only

    def result_for(self, application_id: str) -> RequestResult | None:
        return self.round.results.get(application_id) if self.round is not None else None


def terms_table(param, year: int):
    """The ``terms`` parameter as it stands on 1 January of the term's year."""
    return param("terms", date(year, 1, 1))


def context_for_term(param, term: Term, taken=None) -> CsiContext:
    """The catalogue in rules/ in force at the term's first day, with places taken (0 if unknown)."""
    return CsiContext(term, catalogue_groups(param("catalogue", term.start), taken))


D = FactDef
DEFS = APPLICATION_DEFS + DOCUMENT_DEFS + [
    D("school.unit_code", "str", "The pupil's school unit (skolenhetskod)."),
    D("request.focus", "str", "The focus (inriktning) requested, as written."),
    D("request.known_focus_areas", "str", "The focus areas the groups have, as a list for texts."),
    D("request.report_types", "str", "The specialist report types that document the requested focus ('en specialist' if none)."),
    D("request.received", "str", "The receipt date."),
    D("need.assessed", "bool", "The placement group has assessed the need (assessed_need_level is set)."),
    D("need.level", "int", "The assessed need level 1-5 (0 when not assessed)."),
    D("catalogue.term", "str", "The term whose catalogue the request is judged against (HT2026, ...)."),
    D("catalogue.focus_groups", "int", "Groups in the catalogue with the requested focus."),
    D("catalogue.focus_grades", "str", "The grade ranges of those groups ('' when none)."),
    D("catalogue.matching_groups", "int", "Groups with the requested focus that take the pupil's grade."),
    D("docs.beslut_sarskild_undervisningsgrupp.attached", "bool", "The rektor's decision on a särskild undervisningsgrupp is attached."),
    D("docs.beslut_sarskild_undervisningsgrupp.date", "str", "That decision's date ('' when none)."),
    D("docs.beslut_sarskild_undervisningsgrupp.sarskilda_skal", "bool", "That decision states särskilda skäl."),
    D("docs.specialistutlatande.attached", "bool", "A specialist report is attached."),
    D("docs.specialistutlatande.type", "str", "The specialist report's type ('' when none)."),
    D("docs.specialistutlatande.date", "str", "The specialist report's date ('' when none)."),
    D("docs.specialistutlatande.age_months", "number", "Months from the report's date to receipt; a part month counts 0.5."),
    D("docs.specialistutlatande.documents_focus", "bool", "The report's type is one that documents the requested focus."),
    D("docs.vardnadshavare_delaktiga", "bool", "The guardians have taken part in the request."),
    D("docs.lagre_niva_provad", "bool", "The school's own särskild undervisningsgrupp or the district's resursgrupp was tried first."),
    D("round.ranked", "bool", "A placement round has run and ranked this request (it was eligible)."),
    D("round.term", "str", "The round's term code ('' before a round)."),
    D("round.term_name", "str", "The round's term in words, e.g. höstterminen 2026 ('' before a round)."),
    D("round.rank", "int", "Place in the ranking among the round's requests with the same focus (0 before a round)."),
    D("round.requests_in_focus", "int", "The round's eligible requests with the same focus."),
    D("round.ahead", "int", "Requests ranked ahead that match at least one of the same groups."),
    D("round.ahead_higher_need", "int", "Of those, requests with a higher need level."),
    D("round.ahead_earlier_date", "int", "Of those, requests with the same need level received earlier."),
    D("round.ahead_same_day", "int", "Of those, requests with the same need level received the same day (id order)."),
    D("round.matching_groups", "int", "Groups of the round's catalogue that take the request's focus and grade."),
    D("round.free_at_start", "int", "Free places in those groups when the round began."),
    D("round.given_higher_need", "int", "Places in those groups given to requests ranked ahead with a higher need level."),
    D("round.given_earlier_date", "int", "… with the same need level, received earlier."),
    D("round.given_same_day", "int", "… with the same need level, received the same day."),
    D("round.placed", "bool", "The round gave the request a place (CSI-R2)."),
    D("round.preferred_placed", "bool", "The place is in one of the school's preferred groups."),
    D("round.group", "str", "The group of the place ('' when none)."),
    D("round.group_grades", "str", "That group's grades, e.g. 1–3."),
    D("round.group_school", "str", "That group's school."),
    D("round.group_school_unit_code", "str", "That group's school unit code."),
    D("round.other_school", "bool", "The group is at another school unit than the pupil's (CSI-R5)."),
    D("round.placement_start", "str", "First day of the placement ('' when none)."),
    D("round.placement_end", "str", "Last day of the placement: the term's end ('' when none) (CSI-R4)."),
    D("round.review_date", "str", "The day the placement is reviewed by ('' when none) (CSI-R4)."),
    D("round.waitlist_groups", "int", "Groups on whose waitlist the request stands (CSI-R3)."),
    D("round.waitlist", "str", "Each waitlist: group, school, position, places and places taken."),
]



def _join(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1] if items else ""


def derive(app, ctx: FactContext) -> dict:
    receipt = app.received
    extra: CsiContext = ctx.extra or context_for_term(
        ctx.param, next_term(receipt, lambda year: terms_table(ctx.param, year)))
    docs = app.documents
    report_types = list(ctx.at_receipt("specialist_report_types").get(app.focus, []))
    sp_attached, sp_date, sp_age = dated_document(docs.specialistutlatande, receipt)
    beslut = docs.beslut_sarskild_undervisningsgrupp
    focus_groups = [g for g in extra.groups if g.focus == app.focus]
    grades = sorted({(g.low, g.high) for g in focus_groups})

    facts = application_facts(app) | document_facts(app.documents, receipt) | {
        "school.unit_code": app.school.unit_code,
        "request.focus": app.focus,
        "request.known_focus_areas": _join(list(ctx.at_receipt("focus_areas")), "och"),
        "request.report_types": _join(report_types, "eller") or "en specialist",
        "request.received": receipt.isoformat(),
        "need.assessed": app.assessed_need_level is not None,
        "need.level": app.assessed_need_level or 0,
        "catalogue.term": extra.term.code,
        "catalogue.focus_groups": len(focus_groups),
        "catalogue.focus_grades": ", ".join(f"{low}–{high}" for low, high in grades),
        "catalogue.matching_groups": sum(1 for g in focus_groups if g.takes(app.focus, app.pupil.grade)),
        "docs.beslut_sarskild_undervisningsgrupp.attached": beslut is not None,
        "docs.beslut_sarskild_undervisningsgrupp.date": beslut.date.isoformat() if beslut else "",
        "docs.beslut_sarskild_undervisningsgrupp.sarskilda_skal": bool(beslut and beslut.sarskilda_skal),
        "docs.specialistutlatande.attached": sp_attached,
        "docs.specialistutlatande.type": docs.specialistutlatande.type if sp_attached else "",
        "docs.specialistutlatande.date": sp_date,
        "docs.specialistutlatande.age_months": sp_age,
        "docs.specialistutlatande.documents_focus": sp_attached and docs.specialistutlatande.type in report_types,
        "docs.vardnadshavare_delaktiga": docs.vardnadshavare_delaktiga,
        "docs.lagre_niva_provad": docs.lagre_niva_provad,
    }
    facts.update(_round_facts(extra, extra.result_for(app.application_id or "")))
    return facts


def _round_facts(extra: CsiContext, result: RequestResult | None) -> dict:
    if result is None:
        return dict(NO_ROUND)
    term, placed = extra.round.term, result.group
    by_id = {g.id: g for g in extra.round.groups}
    taken = extra.round.taken_after
    waitlist = "; ".join(
        f"{gid} vid {by_id[gid].school_name}: plats {pos} i kön (gruppen har {by_id[gid].capacity} platser "
        f"och {taken[gid]} är tagna)" for gid, pos in result.positions.items())
    return {
        "round.ranked": True,
        "round.term": term.code,
        "round.term_name": term.name,
        "round.rank": result.rank,
        "round.requests_in_focus": result.requests_in_focus,
        "round.ahead": result.ahead,
        "round.ahead_higher_need": result.ahead_higher_need,
        "round.ahead_earlier_date": result.ahead_earlier_date,
        "round.ahead_same_day": result.ahead_same_day,
        "round.matching_groups": len(result.matching),
        "round.free_at_start": result.free_at_start,
        "round.given_higher_need": result.given_higher_need,
        "round.given_earlier_date": result.given_earlier_date,
        "round.given_same_day": result.given_same_day,
        "round.placed": placed is not None,
        "round.preferred_placed": result.preferred_placed,
        "round.group": placed.id if placed else "",
        "round.group_grades": placed.grades if placed else "",
        "round.group_school": placed.school_name if placed else "",
        "round.group_school_unit_code": placed.school_unit_code if placed else "",
        "round.other_school": result.other_school,
        "round.placement_start": term.start.isoformat() if placed else "",
        "round.placement_end": term.end.isoformat() if placed else "",
        "round.review_date": term.review.isoformat() if placed else "",
        "round.waitlist_groups": len(result.positions),
        "round.waitlist": waitlist,
    }


NO_ROUND = {d.name: {"bool": False, "int": 0, "number": 0.0, "str": ""}[d.type]
            for d in DEFS if d.name.startswith("round.")}

FACTS = FactSet("csi", DEFS, derive)
