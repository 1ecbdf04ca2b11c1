"""The one place the web calls the product's use cases (the same calls the CLI makes).

Pages and the API call only this module for checking, submitting, reading and deciding
cases and for the auditors' reports, so that moving onto the service layer (``stod/services``)
is a change in this file alone. Nothing here decides anything: the engine decides, the case
store stores.
"""
from __future__ import annotations

from datetime import date

from cases import workflow
from stod.services import areas, casework, letters
from stod.services.letters import NoLetter  # noqa: F401  (pages and API catch services.NoLetter)
from stod.services.areas import processing_target_days
from stod.services.dates import check_decision_date
from cases.accounts import Principal
from cases.errors import DuplicateApplication, InputRefused, NotFound
from cases.models import Case
from cases import queue_pages
from cases.queue_pages import QueuePage
from cases.store import Store, find_case
from engine import api
from engine.errors import EngineError, IntakeError
from engine.sensitive import shown_value

VS = "verksamhetsstod"


# -- errors as the e-service reads them -------------------------------------------------------


def error_object(error: Exception) -> dict:
    """The Swedish error object ``{"errors": [{"field", "message"}]}`` for a refused input."""
    if isinstance(error, IntakeError):
        try:  # the one error object of the CLI's --json, once intake lists every problem (issue 11)
            from engine.intake_errors import error_object as intake_error_object
        except ImportError:
            return {"errors": [{"field": error.field, "message": error.problem}]}
        return intake_error_object(error)
    if isinstance(error, InputRefused):
        return {"errors": [{"field": error.field, "message": error.problem}]}
    return {"errors": [{"field": "", "message": str(error)}]}


# -- checking and submitting ------------------------------------------------------------------


def read(body: bytes | dict, source: str = ""):
    """An application through the engine's own parsing (the model and the JSON object)."""
    return api.read_application(body, source=source)


def check_json(body: bytes | dict, on: date | None = None) -> bytes:
    """Exactly what ``stod check --json`` prints for this application, compact: the CLI's own path
    (``stod.services.check.explained_json``)."""
    from stod.services.check import explained_json

    return explained_json(body, on, "ansökan", option="date", indent=False)


def precheck(data: dict, on: date | None = None):
    """The engine's decision on a form's application (nothing stored), for the live pre-check."""
    app, raw = read(data, "ansökan")
    return api.decide(app, check_decision_date(app, on, option="date")), raw


class ForbiddenSchool(Exception):
    """The signed-in principal does not act for the application's school unit."""

    def __init__(self, unit_code: str):
        self.unit_code = unit_code
        super().__init__(f"du får inte skicka ansökningar för skolenhet {unit_code}; ditt konto gäller "
                         "bara dina egna skolenheter")


def _actor(principal: Principal) -> str:
    """Who the case's events name: the signed-in person, or the e-service for a token."""
    return f"{principal.full_name} ({principal.name})" if principal.kind == "user" else workflow.E_SERVICE


def submit(store: Store, body: bytes | dict, principal: Principal, on: date | None = None):
    """Store one application as a case with the engine's proposal (idempotent, as ``stod submit``)."""
    from engine import registry
    from engine.intake import parse_json
    from stod.services.submit import _items  # the one reading of what a submitted file holds

    data = body if isinstance(body, dict) else parse_json(body, "ansökan")
    # One application per request: a CSI round file is not accepted here.
    [(app, raw)] = _items(data, "ansökan", {kind: kind for kind in registry.kinds()}, "")
    if not principal.may_see_school(app.school.unit_code):
        raise ForbiddenSchool(app.school.unit_code)
    day = check_decision_date(app, on, option="date")
    try:
        return workflow.submit(store, app, raw, lambda a: api.decide(a, day), actor=_actor(principal),
                               source=f"web:{principal.name}")
    except DuplicateApplication as error:
        if error.school is not None and principal.may_see_school(error.school):
            raise
        raise error.hidden() from None  # the id is another school's case: say no more than that it is used


def add_documents(store: Store, case_ref: str | int, update: bytes | dict, principal: Principal,
                  on: date | None = None, today: date | None = None):
    """Documents for an open case (``stod complete``): a new revision and a new proposal. ``on``:
    the day they came, if given; else the body's ``received``, else ``today`` (the server's day)."""
    return casework.complete(store, case_ref, update, f"web:{principal.name}", on, actor=_actor(principal),
                             today=today)


# -- reading cases ------------------------------------------------------------------------------


def case_for(store: Store, case_ref: str | int, principal: Principal) -> dict:
    """A case as this principal may see it. NotFound, with one and the same message, both for a
    case that does not exist and for another school's case (no hint it exists), and without the
    store's hint for the command line (``se stod queue``): the web and the API say it."""
    missing = NotFound(f"inget ärende med nummer eller ansöknings-id {shown_value(str(case_ref).strip())}")
    try:
        view = workflow.case_view(store, case_ref, principal.role)
    except NotFound:
        raise missing from None
    if not principal.may_see_school(view["case"]["school_unit_code"]):
        raise missing
    return view


def shows_diagnoses(view: dict) -> bool:
    """Whether a view of a case shows the pupil's diagnoses (those views go to the access log)."""
    from cases.retention import GALLRAD

    return any(isinstance(d, list) and d != [GALLRAD]  # removed under the retention plan: nothing to see
               for d in ((a["raw"].get("need") or {}).get("diagnoses") for a in view["applications"]))


def target_days(day: date) -> int | None:
    """The queue's processing-time target on a day (verksamhetsstöd's, as ``stod queue``)."""
    return processing_target_days(VS, day)


def queue_page(store: Store, on: date, **filters) -> QueuePage:
    """One page of cases for the queue or Mina ärenden (``cases.queue_pages``), with the target in force."""
    return queue_pages.queue_page(store, on, target_days(on), **filters)


queue_filters = queue_pages.queue_filters
latest_school = queue_pages.latest_school


# -- deciding -----------------------------------------------------------------------------------


def override_outcomes(kind: str = VS) -> list[str]:
    return list(areas.override_outcomes(kind))


def grant_outcomes(kind: str = VS) -> list[str]:
    return list(areas.grant_outcomes(kind))


def reason_codes(on: date | None = None) -> list:
    from cases.reasons import reason_codes as codes

    return codes(on or date.today())


def confirm(store: Store, case_ref, principal: Principal, expected_version: int | None, on: date | None = None):
    """The signed-in caseworker confirms the proposal (``stod decide --confirm``)."""
    return casework.confirm(store, case_ref, by=principal.full_name, on=on, expected_version=expected_version,
                            today=on)


def override(store: Store, case_ref, principal: Principal, outcome: str, reason_code: str, reason: str, *,
             level: int | None, period: str | None, amount_sek: int | None, items: list[str] | None,
             expected_version: int | None, on: date | None = None):
    """The signed-in caseworker decides otherwise, within the policy's bounds (``stod decide --override``)."""
    return casework.override(store, case_ref, outcome=outcome, reason_code=reason_code, reason=reason,
                             by=principal.full_name, level=level, period=period, amount_sek=amount_sek,
                             items=items, on=on, expected_version=expected_version, today=on)


# -- auditing -----------------------------------------------------------------------------------


def verify(store: Store) -> dict:
    """The event chains (``stod audit verify``) and the access log's chain."""
    from cases.accounts import verify_access_log
    from cases.audit import verify as verify_events

    with store.read() as session:
        events = verify_events(session)
        entries, access_problems = verify_access_log(session)
    return {"events": events, "access_entries": entries, "access_problems": access_problems,
            "ok": events.ok and not access_problems}


STATS_BY = {"": None, "stadsdel": "district", "skola": "school", "manad": "month"}


def statistics(store: Store, by: str | None, on: date):
    """Processing times as ``stod stats`` gives them, grouped by district, school or month."""
    from reports.stats import stats

    with store.read() as session:
        return stats(session, by, None, None, today=on)


def replay(store: Store, case_ref: str | None = None):
    """Stored proposals decided again with their own rules (``stod replay CASE`` or ``--all``)."""
    from reports.replay import replay_all

    case_ids = [find(store, case_ref).id] if case_ref else None
    with store.read() as session:
        return replay_all(session, workers=1, case_ids=case_ids)


def coverage(store: Store):
    from reports.coverage import build_coverage

    with store.read() as session:
        return build_coverage(session=session)


def rules_listing(area: str | None = None) -> list[dict]:
    from stod.cmd_check import rule_rows

    return rule_rows(area)


def find(store: Store, case_ref) -> Case:
    with store.read() as session:
        return find_case(session, case_ref)



def rule_detail(rule_id: str, on: date) -> dict | None:
    """One rule: its row, description, conditions in Swedish with today's parameter values, texts."""
    from reports.common import condition_text

    row = next((r for r in rules_listing() if r["id"] == rule_id), None)
    if row is None:
        return None
    area = areas.load_area(row["area"])
    rule = next(r for r in area.rules if r.spec.id == rule_id)
    return {**row, "description": rule.spec.description,
            "applies_when": condition_text(rule.applies_when, area, on) if rule.applies_when else None,
            "when": condition_text(rule.when, area, on) if rule.when else None,
            "text": rule.spec.text.model_dump()}


__all__ = ["EngineError", "IntakeError", "InputRefused", "NotFound"]

# -- letters ------------------------------------------------------------------------------------

def case_letter(store: Store, case_ref, principal: Principal, remote: str, view_name: str):
    """A case's letter as this principal may read it (NotFound for another school's case); the
    view is written to the access log."""
    from cases.accounts import log_access

    view = case_for(store, case_ref, principal)
    letter = letters.stored_letter(view)
    log_access(store, principal, view["case"]["id"], view["case"]["application_id"], remote, view_name)
    return view, letter


def letter_body(letter) -> str:
    """The letter's HTML (``stod letter --html``) without its document frame, to sit inside a page."""
    html = letters.letter_html(letter)
    start, end = html.index("<body>") + len("<body>"), html.rindex("</body>")
    return html[start:end]


# -- CSI: groups, rounds, releases (``stod csi groups/round/release``) ------------------------------


def csi_term(term_code: str | None, on: date, field: str = "termin"):
    """The term of a code (``HT2026``), or the term of the day; refused in Swedish naming ``field``."""
    from stod.services import csi

    if not term_code:
        return csi.term_on(on)
    return csi.term(term_code, field)  # the same check and words as the command line's


def csi_groups(store: Store, term_code: str | None, on: date, field: str = "termin"):
    """Each group's places, taken, free and waitlist for a term, and the term's placements."""
    from cases import csi as stored
    from stod.services import csi

    term = csi_term(term_code, on, field)
    figures = csi.group_figures(store, term.code)
    return figures, stored.placements(store, term.code)


def csi_waitlist(store: Store, term_code: str, group_id: str) -> list[dict]:
    from cases import csi as stored

    return stored.waitlist(store, term_code, group_id)


def csi_round(store: Store, term_code: str, on: date, field: str = "termin") -> dict:
    """Run and store a term's round (``stod csi round``): status, the round, and what to say."""
    from stod.services import csi

    if not (term_code or "").strip():
        raise InputRefused(field, "ange terminen, t.ex. HT2026")
    term = csi_term(term_code, on, field)
    status, stored_round = csi.run_stored_round(store, term, on, actor="web")
    message = None if status == csi.CREATED else csi.round_message(status, term, stored_round)
    return {"term": term, "status": status, "round": stored_round, "message": message}


def csi_release(store: Store, placement_ref: str, principal: Principal, on: date):
    """End a placement early, signed by the caseworker, and offer the place (``stod csi release``)."""
    from stod.services import csi

    if not str(placement_ref).strip():
        raise InputRefused("placering", "ange placeringens nummer")
    return csi.release(store, str(placement_ref).strip(), by=principal.full_name, on=on)


def csi_status(store: Store, principal: Principal, on: date) -> list[dict]:
    """The principal's schools' CSI requests: status, outcome, places and waitlist places held."""
    from cases import csi as stored

    page = queue_page(store, on, kind="csi", schools=principal.schools, open_only=False, page=1, per_page=500)
    status = stored.placement_status(store, [row.case_id for row in page.rows])
    return [{"case": row, **status[row.case_id]} for row in page.rows]


# -- what-if (``stod whatif``) ---------------------------------------------------------------------


def proposals(folder) -> list[str]:
    """The proposed rules trees on the server: the sub-folders of ``folder`` that hold a rule area."""
    from pathlib import Path

    from engine import registry

    root = Path(folder) if folder else None
    if root is None or not root.is_dir():
        return []
    names = {a.name for a in registry.areas()}
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any((p / n).is_dir() for n in names))


def whatif(store: Store, folder, name: str, date_from: date | None, date_to: date | None, sample: int = 5):
    """A proposed rules tree (one of ``proposals(folder)``, by name) against the stored cases; nothing stored."""
    from reports.whatif import whatif as run

    if name not in proposals(folder):
        raise InputRefused("forslag", f"välj ett av de föreslagna regelverken på servern, inte {shown_value(name)}")
    with store.read() as session:
        return run(session, str(folder) + "/" + name, date_from, date_to, sample)
