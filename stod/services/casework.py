"""A caseworker's use cases on a stored case: add documents, confirm, override, the queue, one case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases import workflow
from cases.errors import InputRefused
from engine import api, override_terms
from engine.intake import parse_json
from engine.sensitive import shown_value

from .areas import (area_of, completion_outcome, grant_outcomes, override_outcomes, processing_target_days,
                    round_outcomes)

VS_KIND = "verksamhetsstod"
PLACED = "placering"  # the CSI outcome an override gives with a group and a term


def complete(store, case_ref: str | int, content: bytes | dict, source: str, arrived: date | None = None,
             actor: str = workflow.E_SERVICE, today: date | None = None):
    """Documents sent for an open case: the application's next revision and a new proposal.

    ``content`` is the whole application again or ``{"documents": {...}}``; ``arrived`` the day
    the documents came (else the file's ``received``, else ``today``: the server's day, the
    machine's by default), which is also the new proposal's date. Within the completion
    deadline the application keeps its receipt date.
    """
    update = content if isinstance(content, dict) else parse_json(content, source)
    day = workflow.arrival_of(update, arrived, today or date.today())
    return workflow.add_documents(store, case_ref, update, lambda raw: api.read_application(raw, source=source),
                                  lambda app: api.decide(app, day), actor=actor, received=day, source=source)


def confirm(store, case_ref: str | int, *, by: str, on: date | None = None, expected_version: int | None = None,
            today: date | None = None):
    """A named caseworker confirms the latest proposal (``today``: as for ``override``)."""
    return workflow.confirm(store, case_ref, by=by, on=on, expected_version=expected_version, today=today)


def override(store, case_ref: str | int, *, outcome: str, reason_code: str | None, reason: str | None, by: str,
             level: int | None = None, period: str | None = None, amount_sek: int | None = None,
             items: list[str] | None = None, group: str | None = None, term_code: str | None = None,
             on: date | None = None, expected_version: int | None = None, today: date | None = None):
    """A named caseworker decides otherwise, with a reason code and a reason, within the policy's bounds.

    ``today``: the front door's day (the web app's, which a demo may set); the machine's by default.

    Only outcomes of the case's own area. A grant needs ``level``, ``period`` (``YYYY-MM..YYYY-MM``
    inside the requested period, not before the month of receipt) and ``amount_sek`` (at most
    the requested amount), and is the full grant only when amount and period are those
    requested; a completion lists ``items`` (its deadline counted as for the completion rules);
    a CSI ``placering`` names a ``group`` of the request's focus and grade with a free place in
    the term ``term_code``.
    Anything else is refused naming the option, and nothing is stored.
    """
    kind = workflow.case_kind(store, case_ref)
    allowed = override_outcomes(kind)
    if outcome not in allowed:
        raise InputRefused("--override", f"okänt utfall {shown_value(outcome)} för ett ärende om {kind}; välj ett av "
                           f"{', '.join(allowed)}")
    if outcome in round_outcomes(kind) and outcome != PLACED:
        raise InputRefused("--override", f"{outcome} ges av placeringsomgången (stod csi round), där turordningen "
                           "prövas; en ändring här kan ge " + ", ".join(o for o in allowed if o != outcome))
    if outcome == PLACED:
        return _override_to_place(store, case_ref, kind, reason_code=reason_code, reason=reason, by=by, group=group,
                                  term_code=term_code, on=on, expected_version=expected_version, allowed=allowed,
                                  today=today, stray={"--level": level, "--period": period, "--amount": amount_sek,
                                         "--item": items or None})
    if group or term_code:
        raise InputRefused("--group" if group else "--term", f"hör bara till --override {PLACED}")
    grant, completion = outcome in grant_outcomes(kind), outcome == completion_outcome(kind)
    given = {"--level": level, "--period": period, "--amount": amount_sek}
    stray = [option for option, value in given.items() if value is not None] if not grant else []
    if items and not completion:
        stray.append("--item")
    if stray:
        raise InputRefused(stray[0], f"hör inte till ett beslut om {outcome}; ta bort {', '.join(stray)}")
    area = area_of(kind)
    day = on or date.today()
    terms = None
    if grant or completion:
        app, proposal = _proposed(store, case_ref, day)
        title = area.index.outcome_titles.get(outcome, outcome)
        if grant:
            g = area.spec.grant_terms(area, app, proposal, outcome, level, period, amount_sek)
            terms = workflow.OverrideTerms(g.amount_sek, g.level, g.start_month, g.end_month, g.computed_sek,
                                           outcome_title=title)
        else:
            listed, deadline = override_terms.completion_terms(area, items, day)
            terms = workflow.OverrideTerms(completion_deadline=deadline, requests=tuple(listed), outcome_title=title)
    else:
        terms = workflow.OverrideTerms(outcome_title=area.index.outcome_titles.get(outcome, outcome))
    return workflow.override(store, case_ref, outcome=outcome, reason_code=reason_code, reason=reason, by=by,
                             on=on, expected_version=expected_version, outcomes=allowed, terms=terms, today=today)


def _override_to_place(store, case_ref, kind: str, *, reason_code, reason, by, group, term_code, on, expected_version,
                       allowed, stray: dict, today: date | None = None):
    """An override to a CSI place: a group of the request's focus and grade with a free place in the term."""
    from cases import csi as stored
    from engine.areas.csi import api as csi_api

    from .csi import placement_term

    given = [option for option, value in stray.items() if value]
    if given:
        raise InputRefused(given[0], f"hör inte till ett beslut om {PLACED}; ta bort {', '.join(given)}")
    if not group:
        raise InputRefused("--group", f"en ändring till {PLACED} anger gruppen (--group) och terminen (--term)")
    if not term_code:
        raise InputRefused("--term", f"en ändring till {PLACED} anger terminen, t.ex. --term HT2026")
    raw = workflow.current_raw(store, case_ref)
    app, _ = api.read_application(raw, source=f"ärende {case_ref}")
    day = on or max(today or date.today(), app.received)
    of_term = placement_term(term_code, day)
    catalogue = {g.id: g for g in csi_api.catalogue_for(of_term, stored.taken_in(store, of_term.start, of_term.end))}
    chosen = catalogue.get(group)
    if chosen is None:
        raise InputRefused("--group", f"{shown_value(group)} finns inte i katalogen för {of_term.code}")
    if not chosen.takes(app.focus, app.pupil.grade):
        raise InputRefused("--group", f"{group} tar inriktning {chosen.focus}, årskurs {chosen.low}–{chosen.high}; "
                           f"ansökan gäller {app.focus}, årskurs {app.pupil.grade}")
    if chosen.free <= 0:
        raise InputRefused("--group", f"{group} har ingen ledig plats för {of_term.code} ({chosen.taken} av "
                           f"{chosen.capacity} tagna)")
    start = max(of_term.start, day)
    title = area_of(kind).index.outcome_titles.get(PLACED, PLACED)
    terms = workflow.OverrideTerms(outcome_title=f"{title}: gruppen {group} vid {chosen.school_name}, "
                                                 f"{start}–{of_term.end}, uppföljning senast {of_term.review}")
    place = stored.placement_by_override(of_term.code, group, chosen.school_unit_code, chosen.school_name,
                                         chosen.school_unit_code != app.school.unit_code, start, of_term.end,
                                         of_term.review)
    return workflow.override(store, case_ref, outcome=PLACED, reason_code=reason_code, reason=reason, by=by, on=on,
                             expected_version=expected_version, outcomes=allowed, terms=terms, also=place,
                             same_as_proposal=stored.same_place(of_term.code, group), today=today)


def _proposed(store, case_ref, day: date):
    """The case's current application and the engine's proposal for it on ``day`` (for the grant bounds)."""
    raw = workflow.current_raw(store, case_ref)
    app, _ = api.read_application(raw, source=f"ärende {case_ref}")
    return app, api.decide(app, max(day, app.received))


@dataclass
class Queue:
    day: date
    target_days: int | None
    rows: list

    @property
    def over_target(self) -> int:
        return sum(r.over_target for r in self.rows)


def queue(store, on: date | None = None) -> Queue:
    """Open cases on a day, oldest first, with days waited against the processing-time target."""
    day = on or date.today()
    target = processing_target_days(VS_KIND, day)
    if target is None:
        first = area_of(VS_KIND).first_day
        raise InputRefused("--date", f"{day}: reglerna har inga värden före {first} (ingen handläggningstid att "
                           f"mäta mot); ange ett datum från och med {first}")
    return Queue(day, target, workflow.queue(store, day, target))


def show(store, case_ref: str | int, role: str | None = None) -> dict:
    """Everything about one case as ``role`` may see it."""
    return workflow.case_view(store, case_ref, role)
