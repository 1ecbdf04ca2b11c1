"""What the CLI and the case store call for CSI: read a round file, decide a round, summarise it.

A round is decided in three steps on the same area, facts and durable-rules ruleset as a
single request: (1) every request is judged against the eligibility rules with the round's
catalogue; (2) the eligible ones go through the placement round (``engine.csi_round``);
(3) each eligible request is evaluated again with the round's facts, so that the findings of
CSI-R1..R6 and the outcome (placering or ko) come from the rules, checked by durable-rules
and the trace evaluator like every other rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Sequence

from pydantic import ValidationError

from ... import api
from ...area import Area, load_area
from ...decision import Decision
from ...errors import AreaFault, IntakeError
from ...jsonform import canonical_json
from ...inputguard import ID_MAX, check_strings
from ...intake import parse_json
from ...intake_errors import Problems, errors_of, refuse, shown
from ...letter import letter_text
from ...sensitive import contains_personnummer, has_lone_surrogate
from . import AREA as SPEC, PLACED, WAITING
from .facts import CsiContext, context_for_term, terms_table
from .intake import CsiRequest, RoundFile
from .round import Candidate, Group, RoundResult, Term, parse_term, run_round

AREA = SPEC.name


# -- reading a round file ----------------------------------------------------------------

@dataclass
class RoundInput:
    """A validated round file: its term, its own catalogue (or None) and its requests."""

    term: str
    groups: list[Group] | None
    requests: list[CsiRequest]


def read_round(text: str | bytes | dict, source: str = "") -> RoundInput:
    """Validate a round file whole: one bad request or a repeated id refuses the round.

    The error names the request (index and application id) and the field, like
    ``requests[3] (CSI-H-00-003).documents.utredning.date``.
    """
    data = text if isinstance(text, dict) else parse_json(text, source, check=False)
    _check_round_strings(data, source)
    _check_round_kind(data, source)
    problems = Problems()
    area = load_area(AREA)
    head = _round_head(data, area, problems)
    groups = _round_groups(head.groups, problems) if head is not None and head.groups is not None else None
    requests = _round_requests(_raw_requests(data), source, area, problems)
    problems.raise_if_any(source)
    return RoundInput(head.term if head is not None else None, groups, requests)


def _raw_requests(data: dict) -> list:
    """The round file's requests as they were sent (an empty list where they are not a list)."""
    return data["requests"] if isinstance(data.get("requests"), list) else []


def _check_round_strings(data: dict, source: str) -> None:
    """Refuse hostile strings; each request on its own, so the refusal names it by index and id."""
    check_strings({key: value for key, value in data.items() if key != "requests"}, source)
    for i, raw in enumerate(_raw_requests(data)):
        try:
            check_strings(raw, source)
        except IntakeError as error:
            label = _label(i, raw)
            raise refuse(f"{label}.{error.field}" if error.field else label, error.problem, source) from None


def _check_round_kind(data: dict, source: str) -> None:
    """Refuse a file that is not a round file (a single CSI request gets a pointer to stod check)."""
    if data.get("kind") != "csi_round":
        hint = "; en enskild ansökan prövas med stod check" if data.get("kind") == "csi" else ""
        raise refuse("kind", f"{shown(data.get('kind'), 'kind') or 'värdet'} är ingen omgångsfil; ange "
                     f'"csi_round" för en omgångsfil{hint}', source)


def _round_head(data: dict, area: Area, problems: Problems) -> RoundFile | None:
    """The round file's own fields (term, catalogue, non-empty requests), or None where invalid."""
    try:
        head = RoundFile.model_validate_json(canonical_json(data))
    except ValidationError as error:
        problems.add_validation(error)
        return None
    if not head.requests:
        problems.add("requests", "är tom; en omgång behöver minst en ansökan")
    if head.term and area.params["terms"].at(date(int(head.term[2:]), 1, 1)) is None:
        problems.add("term", f"{head.term} är före {area.first_day}, då reglerna för CSI började gälla; "
                     "ange en termin från och med VT2026")
    return head


def _round_groups(declared: Sequence, problems: Problems) -> list[Group]:
    """The round's own catalogue as round groups; a repeated group id is a problem."""
    groups, seen = [], {}
    for i, g in enumerate(declared):
        if g.id in seen:
            problems.add(f"groups[{i}].id", f"{shown(g.id) or 'värdet'} är också id för groups[{seen[g.id]}]; "
                         "ange varje grupp en gång")
        seen.setdefault(g.id, i)
        groups.append(Group(g.id, g.focus, g.school_unit_code, g.school_name, g.grades[0], g.grades[1],
                            g.capacity, g.taken))
    return groups


def _round_requests(raw_requests: list, source: str, area: Area, problems: Problems) -> list[CsiRequest]:
    """Each request read as a CSI application; wrong kinds, bad fields and repeated ids are problems."""
    requests: list[CsiRequest] = []
    first_index: dict[str, int] = {}
    for i, raw in enumerate(raw_requests):
        if not isinstance(raw, dict):
            continue  # the round file's own validation has named it
        label = _label(i, raw)
        if raw.get("kind") != "csi":
            problems.add(f"{label}.kind", f"{shown(raw.get('kind'), 'kind') or 'värdet'} är ingen CSI-ansökan; "
                         'ange "csi" för en ansökan i en omgång')
            continue
        try:
            app, _ = api.read_application(raw, source, area)
        except IntakeError as error:
            problems.extend(errors_of(error), prefix=label)
            continue
        if app.application_id in first_index:
            problems.add(f"{label}.application_id", f"{shown(app.application_id) or 'värdet'} är också id för "
                         f"requests[{first_index[app.application_id]}]; varje ansökan ska ha ett eget id")
            continue
        first_index[app.application_id] = i
        requests.append(app)
    return requests


def _label(index: int, raw) -> str:
    """How a message names a round's request: its index, and its id if that is safe to show."""
    value = raw.get("application_id") if isinstance(raw, dict) else None
    safe = isinstance(value, str) and len(value) <= ID_MAX and not contains_personnummer(value) \
        and not has_lone_surrogate(value)
    return f"requests[{index}]" + (f" ({value})" if safe else "")


# -- deciding a round --------------------------------------------------------------------

@dataclass
class DecidedRound:
    """A decided round: the round itself, each request's Decision and its result object."""

    term: Term
    groups: tuple[Group, ...]
    round: RoundResult
    decisions: dict[str, Decision]  # by application id, sorted
    results: dict[str, dict]  # by application id: what ``stod csi check --json`` prints per request

    def to_dict(self) -> dict:
        return {"term": self.term.code, "results": self.results}


def term_of(code: str, area: Area | None = None) -> Term:
    area = area or load_area(AREA)
    return parse_term(code, terms_table(area.param, int(code[2:])))


def catalogue_for(term: Term | str, taken: Mapping[str, int] | None = None, area: Area | None = None) -> tuple[Group, ...]:
    """The catalogue in rules/ in force at the term's first day, with places taken (0 when not given)."""
    area = area or load_area(AREA)
    term = term_of(term, area) if isinstance(term, str) else term
    return context_for_term(area.param, term, taken).groups


def decide_round(term: Term | str, groups: Iterable[Group | Mapping], requests: Sequence[CsiRequest],
                 decision_date: date | None = None) -> DecidedRound:
    """Decide every request of one round: eligibility, the placement round, and the texts.

    ``groups`` is the catalogue with places taken (``Group`` objects or dicts in the round
    file's form); ``requests`` are validated requests with unique application ids. Pure: it
    reads rules/ but no database, and the result does not depend on the order of requests.
    """
    area = load_area(AREA)
    term = term_of(term, area) if isinstance(term, str) else term
    groups = tuple(sorted((g if isinstance(g, Group) else Group.from_dict(g) for g in groups), key=lambda g: g.id))
    ids = [r.application_id for r in requests]
    if len(set(ids)) != len(ids) or not all(ids):
        raise refuse("requests", "varje ansökan i en omgång behöver ett eget application_id; "
                     "ange ett unikt id för varje ansökan")
    day = decision_date or date.today()

    context = CsiContext(term, groups)
    first = {r.application_id: area.decide(r, day, context) for r in requests}
    eligible = [r for r in requests if first[r.application_id].outcome == area.index.eligible_outcome]
    candidates = [Candidate(r.application_id, r.focus, r.pupil.grade, r.assessed_need_level, r.received,
                            tuple(r.preferred_groups), r.school.unit_code) for r in eligible]
    placed_round = run_round(groups, candidates, term)

    with_round = CsiContext(term, groups, placed_round)
    decisions: dict[str, Decision] = {}
    for r in sorted(requests, key=lambda r: r.application_id):  # output order independent of input order
        decision = first[r.application_id]
        if r.application_id in placed_round.results:
            decision = area.decide(r, day, with_round)
            if decision.outcome not in (PLACED, WAITING):  # the rules and the round must agree
                raise AreaFault(AREA, r.application_id, f"eligible, but the round rules gave {decision.outcome}")
        decisions[r.application_id] = decision
    by_id = {r.application_id: r for r in requests}
    results = {rid: result_of(d, by_id[rid], placed_round, area) for rid, d in decisions.items()}
    return DecidedRound(term, groups, placed_round, decisions, results)


def check_round(data: RoundInput, decision_date: date | None = None,
                taken: Mapping[str, int] | None = None) -> DecidedRound:
    """A dry run of a round file: its own catalogue, or the one in rules/ with ``taken`` places."""
    term = term_of(data.term)
    groups = data.groups if data.groups is not None else catalogue_for(term, taken)
    return decide_round(term, groups, data.requests, decision_date)


# -- results and texts -------------------------------------------------------------------

def result_of(decision: Decision, request: CsiRequest, placed_round: RoundResult, area: Area) -> dict:
    """One request's result object: outcome, rules, place or waitlist positions, text, findings."""
    result = placed_round.results.get(request.application_id)
    group = result.group if result is not None else None
    placement = None
    if group is not None:
        term = placed_round.term
        placement = {"start": term.start.isoformat(), "end": term.end.isoformat(),
                     "review_date": term.review.isoformat()}
    text = letter_text(decision, area, request, placed_round)
    decision.text = text
    return {
        "application_id": decision.application_id,
        "outcome": decision.outcome,
        "outcome_title": decision.outcome_title,
        "decisive_rules": decision.decisive_rules,
        "group": group.id if group else None,
        "school": {"unit_code": group.school_unit_code, "name": group.school_name} if group else None,
        "other_school": result.other_school if group else None,
        "positions": dict(result.positions) if result is not None and group is None else {},
        "rank": result.rank if result is not None else None,
        "placement": placement,
        "completion_deadline": decision.completion_deadline,
        "requests": decision.requests,
        "findings": [f.to_dict() for f in decision.findings],
        "ruleset": decision.ruleset,
        "parameters": decision.parameters,
        "text": text,
    }
