"""The caseworker's workflow: receive, propose, request completion, add documents, decide.

The case store never evaluates a rule: every step that needs a decision takes the engine's
``Decision`` (or a callable returning one) from the caller. Each step is one transaction;
a failure anywhere leaves nothing of that step stored.

States: ``mottagen`` → ``forslag`` → ``beslutad``, or ``komplettering_begard`` → (documents
added) → ``forslag`` …  A decision confirms the latest proposal or overrides it with a reason
code; the proposal stays beside the decision.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any, Callable, Iterable, Optional

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from engine.area import load_area
from engine.registry import spec_for_kind
from engine.sensitive import shown_value, stored_name

from . import store as S
from .errors import ConflictError, DuplicateApplication, InputRefused, StateError
from .events import append_event
from .ledger import evidence_hash, findings_hash, record_hash
from .models import (BESLUTAD, DECISION, FORSLAG, KOMPLETTERING_BEGARD, MOTTAGEN, PROPOSAL, ApplicationRecord,
                     Case, DecisionRecord, FindingRecord)
from .reasons import COMPLETION_OVERDUE, reason_code as lookup_reason_code
from .texts import ITEM_MAX, NAME_MAX, REASON_MAX, checked_text

E_SERVICE = "e-tjänsten"

DecideFn = Callable[[Any], Any]  # application model -> engine Decision


@dataclass
class StepResult:
    """What a workflow step did, for the CLI to report."""

    case_id: int
    application_id: str
    status: str
    outcome: Optional[str]
    created: bool
    message: str
    decision_id: Optional[int] = None
    amount_sek: Optional[int] = None
    version: Optional[int] = None

    def to_dict(self) -> dict:
        # Every field is a plain value: asdict's deep copy walk cost more than storing the case.
        return {name: getattr(self, name) for name in _STEP_FIELDS}


_STEP_FIELDS = tuple(f.name for f in fields(StepResult))


# -- helpers ------------------------------------------------------------------------------


DECISION_FIELDS = ("outcome", "decisive_rules", "amount_sek", "level", "granted_period", "completion_deadline",
                   "requests", "ruleset", "decision_date", "parameters", "text")


def decision_fields(decision) -> dict:
    """The fields the store keeps, from an engine Decision (or a dict shaped like its to_dict)."""
    if isinstance(decision, dict):
        return decision
    # Not Decision.to_dict(): deep-copying every comparison costs more than storing the case.
    out = {name: getattr(decision, name, None) for name in DECISION_FIELDS}
    out["findings"] = [{"rule_id": f.rule_id, "status": f.status, "decisive": f.decisive, "text": f.text}
                       for f in getattr(decision, "findings", [])]
    return out


def default_ruleset_files(area: str, version: str) -> dict[str, str]:
    """The rule files of a version, read from the rules folder; they must hash to the version."""
    from engine.area import load_area
    from engine.yamlsource import content_hash

    source = load_area(area).source
    if content_hash(source, area) != version:
        raise StateError(f"regelverket {area} version {version} finns inte i {source!r} (där finns "
                         f"{content_hash(source, area)}); lämna regelfilerna till lagringen (rules_files=…)")
    return {path: source.read(path) for path in source.paths(area)}


RulesFiles = Callable[[str, str], dict]


def proposal_values(d: dict, kind: str, case_id: int, app_row_id: int, at: datetime) -> dict:
    """The column values of a proposal row from the decision's stored fields (``decision_fields``)."""
    ruleset = d.get("ruleset") or {}
    period = d.get("granted_period") or {}
    deadline = d.get("completion_deadline")
    return dict(
        case_id=case_id, application_row_id=app_row_id, kind=PROPOSAL, outcome=d["outcome"],
        decisive_rules=list(d.get("decisive_rules") or []), amount_sek=d.get("amount_sek"), level=d.get("level"),
        granted_start=period.get("start_month"), granted_end=period.get("end_month"),
        completion_deadline=S.day(deadline) if deadline else None, requests=list(d.get("requests") or []),
        ruleset_area=ruleset.get("area", kind), ruleset_version=ruleset.get("version", ""),
        ruleset_binding=ruleset.get("binding", ""), decision_date=S.day(d["decision_date"]),
        parameters=S.jsonable(d.get("parameters") or {}), text=d.get("text") or "", created_at=at)


def finding_rows(d: dict, decision_id: int) -> list[dict]:
    return [{"decision_id": decision_id, "rule_id": f["rule_id"], "status": f["status"],
             "decisive": bool(f.get("decisive")), "text": f.get("text") or ""} for f in d.get("findings") or []]


def proposal_events(values: dict, decision_id: int, revision: int, kind: str,
                    findings: list[dict]) -> tuple[list[tuple[str, dict]], str]:
    """The events (type, payload) that record a stored proposal, and the case's new status."""
    granted = ({"start_month": values["granted_start"], "end_month": values["granted_end"]}
               if values["granted_start"] is not None else None)
    deadline = values["completion_deadline"]
    events = [
        ("evaluated", {"application_revision": revision,
                       "ruleset": {"area": values["ruleset_area"], "version": values["ruleset_version"],
                                   "binding": values["ruleset_binding"]},
                       "decision_date": values["decision_date"].isoformat()}),
        ("proposal", {"decision_id": decision_id, "outcome": values["outcome"],
                      "decisive_rules": values["decisive_rules"], "amount_sek": values["amount_sek"],
                      "level": values["level"], "granted_period": granted,
                      "text_sha256": evidence_hash(values["text"]), "findings_sha256": findings_hash(findings),
                      "record_sha256": record_hash(values)})]
    if deadline or values["outcome"] == spec_for_kind(kind).completion_outcome:
        events.append(("completion_requested", {"decision_id": decision_id,
                                                "deadline": deadline.isoformat() if deadline else None,
                                                "rules": values["decisive_rules"]}))
        return events, KOMPLETTERING_BEGARD
    return events, FORSLAG


def _store_proposal(store: S.Store, session: Session, case: Case, app_row: ApplicationRecord, decision,
                    at: datetime, actor: str, rules_files: RulesFiles) -> DecisionRecord:
    """The engine's proposal, its findings and the events that record it; sets the status."""
    d = decision_fields(decision)
    values = proposal_values(d, case.kind, case.id, app_row.id, at)
    area, version = values["ruleset_area"], values["ruleset_version"]
    S.ensure_ruleset(store, session, area, version, lambda: rules_files(area, version))
    record = DecisionRecord(**values)
    session.add(record)
    session.flush()
    rows = finding_rows(d, record.id)
    if rows:
        session.execute(insert(FindingRecord), rows)
    events, case.status = proposal_events(values, record.id, app_row.revision, case.kind, rows)
    for type_, payload in events:
        append_event(session, case, type_, actor, payload, at)
    return record


def _existing(session: Session, application_id: str, sha: str) -> tuple[Case, bool] | None:
    """The case of this application id, and whether one of its revisions has this content."""
    case = S.case_by_application_id(session, application_id)
    if case is None:
        from .removed import refuse_removed

        refuse_removed(session, application_id)  # an id whose case was removed under the plan stays used
        return None
    same = any(row.sha256 == sha for row in S.applications_of(session, case.id))
    return case, same


def _already(case: Case) -> StepResult:
    latest = None
    return StepResult(case.id, case.application_id, case.status, latest, False,
                      f"redan mottagen (ärende {case.id}); inget nytt sparat", version=case.version)


# -- receive ------------------------------------------------------------------------------


def submit(store: S.Store, app, raw: dict, decide, *, actor: str = E_SERVICE, at: datetime | None = None,
           source: str = "", rules_files: RulesFiles = default_ruleset_files) -> StepResult:
    """Receive one application: store it verbatim, store the engine's proposal, record events.

    ``app`` is the intake model and ``raw`` the JSON object (``engine.api.read_application``);
    ``decide`` is the engine's Decision or a callable ``decide(app) -> Decision``, called only
    when the application is new. Sending an identical application again is a no-op
    ("redan mottagen"); the same id with other content raises ``DuplicateApplication``.
    """
    at = S.as_utc(at)
    application_id = raw["application_id"]
    sha = S.sha256_of(raw)
    with store.read() as session:
        found = _existing(session, application_id, sha)
    if found is not None:
        case, same = found
        if same:
            return _already(case)
        raise DuplicateApplication(application_id, case.id, school=case.school_unit_code)
    decision = decide(app) if callable(decide) else decide
    try:
        with store.write() as session:
            found = _existing(session, application_id, sha)  # someone may have been quicker
            if found is not None:
                raise _Raced()
            school = raw.get("school") or {}
            case = Case(kind=raw["kind"], application_id=application_id, status=MOTTAGEN,
                        school_unit_code=str(school.get("unit_code", "")), school_name=str(school.get("name", "")),
                        district=str(school.get("district", "")), received=S.day(raw["received"]),
                        created_at=at, updated_at=at)
            session.add(case)
            session.flush()
            app_row = ApplicationRecord(case_id=case.id, application_id=application_id, revision=1, kind=raw["kind"],
                                        received=case.received, sha256=sha, raw=copy.deepcopy(raw),
                                        source=stored_name(source), stored_at=at)
            session.add(app_row)
            session.flush()
            append_event(session, case, "received", actor, {"application_revision": 1, "sha256": sha}, at)
            record = _store_proposal(store, session, case, app_row, decision, at, actor, rules_files)
            session.flush()
            result = StepResult(case.id, application_id, case.status, record.outcome, True,
                                f"mottagen som ärende {case.id}", record.id, record.amount_sek, case.version)
    except (_Raced, IntegrityError):
        with store.read() as session:
            found = _existing(session, application_id, sha)
        if found is None:
            raise
        case, same = found
        if same:
            return _already(case)
        raise DuplicateApplication(application_id, case.id, school=case.school_unit_code) from None
    return result


class _Raced(Exception):
    """Another writer stored the same application id between our check and our write."""


# -- completion ---------------------------------------------------------------------------


def check_update(current: dict, update) -> None:
    """Refuse a completion file that is not this application's: another id or kind, or other fields."""
    if not isinstance(update, dict):
        raise InputRefused("(fil)", "ska vara ett JSON-objekt ({…}): hela ansökan eller {\"documents\": {…}}")
    if "kind" in update:
        application_id = update.get("application_id") or current["application_id"]
        if application_id != current["application_id"]:
            raise InputRefused("application_id", f"är {shown_value(application_id)} men ärendets ansökan är "
                               f"{current['application_id']!r}; en komplettering hör till samma ansökan")
        if update.get("kind") != current.get("kind"):
            raise InputRefused("kind", f"är {shown_value(update.get('kind'))} men ärendet gäller "
                               f"{current.get('kind')!r}; en komplettering hör till samma slags ansökan")
        for field, whose in _SAME_APPLICATION:
            before, after = _field(current, field), _field(update, field)
            if after != before:
                found = "saknas" if after is None else f"är {shown_value(after)}"
                raise InputRefused(field, f"{found} men ärendets ansökan gäller {shown_value(before)}; "
                                          f"en komplettering hör till samma {whose} (en annan {whose} är en ny ansökan)")
        return
    extra = set(update) - {"documents", "received"}
    if extra or not isinstance(update.get("documents"), dict):
        raise InputRefused(", ".join(sorted(extra)) or "documents",
                           "en komplettering är hela ansökan igen (med kind) eller "
                           '{"documents": {…}, "received": "ÅÅÅÅ-MM-DD"} med bara de handlingar som läggs till')


# What a completion sent as the whole application again may not change: whose application it is.
_SAME_APPLICATION = (("school.unit_code", "skolenhet"), ("pupil.ref", "elev"))


def _field(raw: dict, dotted: str):
    value = raw
    for name in dotted.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value


def merge_completion(current: dict, update: dict, arrived: date, asked: date | None = None) -> dict:
    """The application's next revision: a whole new application, or the documents added.

    ``update`` is either a complete application (with ``kind``; its ``application_id`` must be
    the case's) or ``{"documents": {...}, "received": "YYYY-MM-DD"?}``, merged into the
    current revision. The application keeps its receipt date (the policy: a completion in
    time joins the same application, judged at its first receipt). ``asked`` is the day of the
    ``komplettering`` this answers: the revision records the turn (asked, arrived), so the
    engine lets documents be dated up to the arrival and stops the clock for those days.
    """
    check_update(current, update)
    if "kind" in update:
        new = copy.deepcopy(update)
        if new.get("application_id") in (None, ""):
            new["application_id"] = current["application_id"]
    else:
        new = copy.deepcopy(current)
        new.setdefault("documents", {}).update(copy.deepcopy(update["documents"]))
    new["received"] = current["received"]
    turns = list(current.get("completions") or [])
    if asked is not None:
        turns.append({"requested": asked.isoformat(), "arrived": arrived.isoformat()})
    if turns:
        new["completions"] = turns
    else:
        new.pop("completions", None)
    return new


def _without_turns(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k != "completions"}


def arrival_of(update: dict, given: date | None, fallback: date) -> date:
    """The day the documents arrived: given (``--date``), else the file's ``received``, else ``fallback``."""
    if given is not None:
        return given
    if isinstance(update, dict) and "kind" not in update and update.get("received"):
        try:
            return date.fromisoformat(str(update["received"]))
        except ValueError:
            raise InputRefused("received", f"{shown_value(update['received'])} är inget datum; ange datumet som "
                               "ÅÅÅÅ-MM-DD") from None
    return fallback


def _asking(session: Session, case_id: int) -> DecisionRecord | None:
    """The case's latest proposal or decision that asked for completion (it has a deadline)."""
    return session.execute(select(DecisionRecord).where(
        DecisionRecord.case_id == case_id, DecisionRecord.completion_deadline.is_not(None))
        .order_by(DecisionRecord.id.desc()).limit(1)).scalars().first()


def _completion_asked(session: Session, case: Case, arrived: date) -> date | None:
    """The day of the ``komplettering`` that documents arriving on ``arrived`` answer (None if none was asked).

    Refused when they arrive after its deadline: they are then a new application, not a completion.
    """
    if case.status != KOMPLETTERING_BEGARD:
        return None
    asking = _asking(session, case.id)
    if asking is None:
        return None
    if arrived < asking.decision_date:
        raise InputRefused("--date", f"handlingarna kom {arrived}, före begäran om komplettering "
                           f"{asking.decision_date}; ange dagen handlingarna kom")
    if arrived > asking.completion_deadline:
        raise InputRefused("--date", f"handlingarna kom {arrived}, efter tidsfristen {asking.completion_deadline} "
                           f"för kompletteringen av ärende {case.id} (begärd {asking.decision_date}); de tas inte "
                           "emot som komplettering och ingenting ändras i ärendet. Skicka dem som en ny ansökan "
                           "(stod submit), med eget mottagandedatum")
    return asking.decision_date


def _completion_of(store: S.Store, case_ref, update, received: date | None, at: datetime):
    """The open case, its current application, the day the documents arrived and the day of the
    ``komplettering`` they answer (None if none was asked); refused when they cannot be added."""
    with store.read() as session:
        case = S.find_case(session, case_ref)
        current = S.current_application(session, case.id)
        if case.status == BESLUTAD:
            raise StateError(f"ärende {case.id} är redan beslutat; nya handlingar hör till en ny ansökan")
        check_update(current.raw, update)
        arrived = arrival_of(update, received, machine_day(at))
        if arrived < case.received:
            raise InputRefused("--date", f"handlingarna kom {arrived}, före ärendets mottagandedatum "
                               f"{case.received}; ange dagen handlingarna kom")
        return case, current, arrived, _completion_asked(session, case, arrived)


def add_documents(store: S.Store, case_ref: str | int, update: dict, intake: Callable[[dict], tuple[Any, dict]],
                  decide, *, actor: str = E_SERVICE, at: datetime | None = None, received: date | None = None,
                  source: str = "", rules_files: RulesFiles = default_ruleset_files) -> StepResult:
    """Documents added to an open case: a new application revision, re-evaluated, a new proposal.

    ``received`` is the day the documents arrived (else the file's ``received``, else the day of
    ``at``). Within a completion's deadline the application keeps its receipt date and every
    rule is judged again at it; after the deadline the documents are refused and nothing
    changes. ``intake(raw) -> (app, raw)`` validates the new revision
    (``engine.api.read_application``); ``decide(app) -> Decision``. Refused for a decided case;
    a conflict if the case changed meanwhile.
    """
    at = S.as_utc(at)
    case, current, arrived, asked = _completion_of(store, case_ref, update, received, at)
    seen_version, case_id = case.version, case.id
    new_raw = merge_completion(current.raw, update, arrived, asked)
    app, raw = intake(new_raw)
    sha = S.sha256_of(raw)
    if sha == current.sha256 or _without_turns(raw) == _without_turns(current.raw):
        # Nothing sent but the answer itself: no revision, and the completion's deadline stays.
        return StepResult(case.id, case.application_id, case.status, None, False,
                          "inga nya handlingar; ansökan är oförändrad", version=case.version)
    decision = decide(app) if callable(decide) else decide
    try:
        with store.write() as session:
            case = session.get(Case, case_id)
            if case.version != seen_version:
                raise ConflictError(case.id, f"ärende {case.id} ändrades medan handlingarna prövades; försök igen",
                                    seen_version, case.version)
            if case.status == BESLUTAD:
                raise StateError(f"ärende {case.id} beslutades medan handlingarna prövades")
            revision = S.current_application(session, case.id).revision + 1
            # The revision's own date is the day it arrived; the application keeps its receipt date.
            app_row = ApplicationRecord(case_id=case.id, application_id=case.application_id, revision=revision,
                                        kind=case.kind, received=arrived, sha256=sha,
                                        raw=copy.deepcopy(raw), source=stored_name(source), stored_at=at)
            session.add(app_row)
            session.flush()
            changed = sorted(k for k, v in (raw.get("documents") or {}).items()
                             if (current.raw.get("documents") or {}).get(k) != v)
            append_event(session, case, "documents_added", actor,
                         {"application_revision": revision, "sha256": sha, "documents": changed,
                          "arrived": arrived.isoformat()}, at)
            record = _store_proposal(store, session, case, app_row, decision, at, actor, rules_files)
            session.flush()
            return StepResult(case.id, case.application_id, case.status, record.outcome, True,
                              f"handlingar tillagda (version {revision}); nytt förslag", record.id,
                              record.amount_sek, case.version)
    except StaleDataError:
        raise ConflictError(case_id, f"ärende {case_id} ändrades av någon annan samtidigt; inget sparades, "
                            "försök igen") from None


# -- decide -------------------------------------------------------------------------------


def _open_for_decision(session: Session, case_ref, expected_version: int | None) -> tuple[Case, DecisionRecord]:
    case = S.find_case(session, case_ref)
    if expected_version is not None and case.version != expected_version:
        raise ConflictError(case.id, f"ärende {case.id} har ändrats sedan du läste det (version {expected_version}, "
                            f"nu {case.version}); inget skrevs över — läs ärendet igen (stod show {case.id})",
                            expected_version, case.version)
    if case.status == BESLUTAD:
        final = S.latest(session, case.id, DECISION)
        who = f" av {final.decided_by} den {final.decision_date}" if final else ""
        raise ConflictError(case.id, f"ärende {case.id} är redan beslutat{who}; inget skrevs över",
                            expected_version, case.version)
    proposal = S.latest(session, case.id, PROPOSAL)
    if proposal is None:
        raise StateError(f"ärende {case.id} har inget beslutsförslag att pröva")
    return case, proposal


def _final(case: Case, proposal: DecisionRecord, by: str, on: date, at: datetime, **fields) -> DecisionRecord:
    base = dict(case_id=case.id, application_row_id=proposal.application_row_id, kind=DECISION,
                outcome=proposal.outcome, decisive_rules=list(proposal.decisive_rules or []),
                amount_sek=proposal.amount_sek, level=proposal.level, granted_start=proposal.granted_start,
                granted_end=proposal.granted_end, completion_deadline=proposal.completion_deadline,
                requests=list(proposal.requests or []), ruleset_area=proposal.ruleset_area,
                ruleset_version=proposal.ruleset_version, ruleset_binding=proposal.ruleset_binding,
                decision_date=on, parameters=proposal.parameters, decided_by=by, proposal_id=proposal.id,
                created_at=at, text="")
    base.update(fields)
    return DecisionRecord(**base)


def _check_by(by: str | None) -> str:
    return checked_text("--by", by, NAME_MAX, empty="ett beslut kräver en namngiven handläggare med delegation")


def _finish(store: S.Store, case_ref, expected_version, build) -> StepResult:
    try:
        with store.write() as session:
            case, proposal = _open_for_decision(session, case_ref, expected_version)
            result = build(session, case, proposal)
            session.flush()
            result.version = case.version
            return result
    except StaleDataError:
        raise ConflictError(str(case_ref), f"ärende {case_ref} beslutades eller ändrades av någon annan samtidigt; "
                            "ditt beslut sparades inte och inget skrevs över — läs ärendet igen") from None


def confirm(store: S.Store, case_ref: str | int, *, by: str, on: date | None = None, at: datetime | None = None,
            expected_version: int | None = None, today: date | None = None) -> StepResult:
    """A caseworker confirms the latest proposal; the case is decided (``today``: as for ``override``).

    Two caseworkers deciding one case: exactly one wins, the other gets ``ConflictError``.
    A proposal that asks for completion is not confirmed: add the documents, or override.
    """
    by = _check_by(by)
    at = S.as_utc(at)
    given = on

    def build(session, case, proposal):
        on = _decision_day(given, at, case, proposal, today)
        if case.status == KOMPLETTERING_BEGARD:
            raise StateError(f"ärende {case.id} väntar på komplettering (förslag {proposal.outcome}); "
                             f"lägg till handlingarna (stod complete {case.id} FIL) eller ändra förslaget "
                             "med --override och en skälkod")
        index = load_area(spec_for_kind(case.kind).name).index
        if index.eligible_outcomes and proposal.outcome == index.eligible_outcome:
            raise StateError(f"ärende {case.id} går till placeringsomgången (förslag {proposal.outcome}) och har "
                             "inget beslut att fastställa ännu; besluta efter omgången med stod csi round --term "
                             "TERMIN, eller ändra förslaget med --override och en skälkod")
        text = (f"Beslut fattat {on} av {by}: beslutsförslaget ({proposal.outcome}) är fastställt.\n\n"
                + proposal.text)
        record = _final(case, proposal, by, on, at, text=text)
        session.add(record)
        session.flush()
        case.status, case.decided_on = BESLUTAD, on
        append_event(session, case, "confirmed", by, {"decision_id": record.id, "proposal_id": proposal.id,
                                                      "outcome": record.outcome, "amount_sek": record.amount_sek,
                                                      "text_sha256": evidence_hash(record.text),
                                                      "record_sha256": record_hash(record)}, at)
        return StepResult(case.id, case.application_id, case.status, record.outcome, True,
                          f"beslutat: {record.outcome} (förslaget fastställt av {by})", record.id, record.amount_sek)

    return _finish(store, case_ref, expected_version, build)


@dataclass(frozen=True)
class OverrideTerms:
    """What a caseworker decides beside the outcome, already checked against the policy's bounds
    (``engine.override_terms``): a grant's level, period, amount and the engine's amount for
    them; a completion's items and deadline. The store keeps them as given."""

    amount_sek: Optional[int] = None
    level: Optional[int] = None
    granted_start: Optional[str] = None
    granted_end: Optional[str] = None
    computed_sek: Optional[int] = None
    completion_deadline: Optional[date] = None
    requests: tuple[str, ...] = ()
    outcome_title: Optional[str] = None


def machine_day(at: datetime) -> date:
    """The day of a moment on this machine's clock, as ``date.today()`` gives it for now."""
    return at.astimezone().date()


def day_of(at: datetime, today: date | None = None) -> date:
    """The day a decision is made on: the front door's ``today`` (the web app's day, which a demo
    may set), else the day of ``at`` (``machine_day``)."""
    return today if today is not None else machine_day(at)


def _decision_day(on: date | None, at: datetime, case: Case, proposal: DecisionRecord,
                  today: date | None = None) -> date:
    """The decision date: as given, or by default the day it is made on (``day_of``).

    Never before receipt, nor before the proposal it decides on, nor after the day it is made
    on: each is refused naming both dates. A case received, or proposed, after that day (a
    simulated run, a dry run dated ahead) is decided on that later day at the earliest.
    """
    made = day_of(at, today)
    latest = max(made, case.received, proposal.decision_date or case.received)
    if on is None:
        return latest
    if on > latest:
        after = (f"i dag ({made})" if latest == made
                 else f"{latest}, den dag ärendet kom in eller föreslogs (i dag är {made})")
        raise InputRefused("--date", f"beslutsdatum {on} ligger efter {after}; ett beslut dateras den dag det fattas, "
                           "aldrig framåt: ange dagens datum eller utelämna datumet")
    if on < case.received:
        raise InputRefused("--date", f"beslutsdatum {on} är före ärendets mottagandedatum {case.received}; ett "
                           "beslut kan inte fattas före mottagandet")
    if proposal.decision_date is not None and on < proposal.decision_date:
        raise InputRefused("--date", f"beslutsdatum {on} är före förslaget det beslutar om ({proposal.decision_date}, "
                           f"ärende {case.id}); ett beslut kan inte fattas före det underlag det bygger på")
    return on


def override_text(on: date, by: str, outcome: str, terms: OverrideTerms, code, reason: str,
                  proposal: DecisionRecord) -> str:
    """The text of an overridden decision: the caseworker's decision first, the proposal after, labelled."""
    title = terms.outcome_title or outcome
    lines = [f"Beslut fattat {on} av {by} (handläggare med delegation): {title}."]
    if terms.amount_sek is not None:
        period = f", perioden {terms.granted_start}–{terms.granted_end}" if terms.granted_start else ""
        level = f", nivå {terms.level}" if terms.level is not None else ""
        amount = f"{terms.amount_sek:,}".replace(",", " ")  # only the number's thousands, not the sentence's commas
        lines.append(f"Beviljat belopp: {amount} kr{level}{period}.")
    if terms.completion_deadline is not None:
        lines.append(f"Skicka in följande senast {terms.completion_deadline}:")
        lines += [f"- {item}" for item in terms.requests]
    lines.append(f"Skäl: {code.title_sv} ({code.code}). {reason}")
    lines += ["", f"Motorns förslag ({proposal.outcome}) följdes inte. Förslaget står kvar i akten, som det "
              "lämnades:", ""]
    lines += [f"    {line}" if line else "" for line in proposal.text.splitlines()]
    return "\n".join(lines)


def _check_code_fits(session: Session, case: Case, code, outcome: str, on: date, today: date) -> None:
    """A reason code kept to the outcomes and the case state its dated entry names.

    A completion that did not come (``COMPLETION_OVERDUE``) is one whose deadline has passed on
    the decision date *and* today: a decision dated ahead must not close a case while the school
    may still send its documents (FL 20 §)."""
    if code.outcomes and outcome not in code.outcomes:
        raise InputRefused("--reason-code", f"{code.code} används bara med {', '.join(code.outcomes)}, inte {outcome}")
    if code.requires == COMPLETION_OVERDUE:
        asked = _asking(session, case.id)
        if case.status != KOMPLETTERING_BEGARD or asked is None or on <= asked.completion_deadline:
            when = f" (sista dag {asked.completion_deadline})" if asked is not None and \
                case.status == KOMPLETTERING_BEGARD else ""
            raise InputRefused("--reason-code", f"{code.code} förutsätter att tidsfristen för en begärd komplettering "
                               f"har gått ut utan att handlingar kommit{when}; den {on} har den inte det")
        if today <= asked.completion_deadline:
            raise InputRefused("--reason-code", f"{code.code}: tidsfristen för kompletteringen (sista dag "
                               f"{asked.completion_deadline}) har inte gått ut i dag ({today}); skolan kan ännu skicka "
                               "handlingarna, och ett beslut kan inte dateras förbi fristen i förväg")


def _terms_from_proposal(proposal: DecisionRecord, grant: bool, amount_sek: int | None) -> OverrideTerms:
    """Without terms: a grant keeps the proposal's level and period, with ``amount_sek`` or the proposal's."""
    if not grant:
        return OverrideTerms()
    amount = amount_sek if amount_sek is not None else proposal.amount_sek
    if amount is None:
        raise InputRefused("--amount", f"förslaget ({proposal.outcome}) har inget belopp; ange beviljat belopp "
                           "med --amount för ett beviljande beslut")
    return OverrideTerms(amount, proposal.level, proposal.granted_start, proposal.granted_end)


def _store_override(session: Session, case: Case, proposal: DecisionRecord, outcome: str, fixed: OverrideTerms,
                    code, reason: str, by: str, on: date, at: datetime, also: Callable | None) -> StepResult:
    """The overriding decision, what it brings with it, its events and the case's new status."""
    record = _final(case, proposal, by, on, at, text=override_text(on, by, outcome, fixed, code, reason, proposal),
                    outcome=outcome, amount_sek=fixed.amount_sek, level=fixed.level,
                    granted_start=fixed.granted_start, granted_end=fixed.granted_end, computed_sek=fixed.computed_sek,
                    completion_deadline=fixed.completion_deadline, requests=list(fixed.requests),
                    override_reason_code=code.code, override_reason=reason)
    session.add(record)
    session.flush()
    if also is not None:
        also(session, case, record, at)
    append_event(session, case, "overridden", by, {
        "decision_id": record.id, "proposal_id": proposal.id, "proposed": proposal.outcome,
        "outcome": outcome, "amount_sek": fixed.amount_sek, "level": fixed.level,
        "granted_period": record.granted_period, "computed_sek": fixed.computed_sek,
        "reason_code": code.code, "reason": reason, "text_sha256": evidence_hash(record.text),
        "record_sha256": record_hash(record)}, at)
    if fixed.completion_deadline is not None:
        case.status = KOMPLETTERING_BEGARD
        append_event(session, case, "completion_requested", by, {
            "decision_id": record.id, "deadline": fixed.completion_deadline, "items": list(fixed.requests)}, at)
        message = f"komplettering begärd senast {fixed.completion_deadline} (ändrat från {proposal.outcome}, " \
                  f"skäl {code.code})"
    else:
        case.status, case.decided_on = BESLUTAD, on
        message = f"beslutat: {outcome} (ändrat från {proposal.outcome}, skäl {code.code})"
    return StepResult(case.id, case.application_id, case.status, outcome, True, message, record.id, fixed.amount_sek)


def override(store: S.Store, case_ref: str | int, *, outcome: str, reason_code: str | None, reason: str | None,
             by: str, amount_sek: int | None = None, on: date | None = None, at: datetime | None = None,
             expected_version: int | None = None, outcomes: Iterable[str] | None = None,
             terms: OverrideTerms | None = None, also: Callable | None = None,
             same_as_proposal: Callable[[Session, DecisionRecord], bool] | None = None,
             today: date | None = None) -> StepResult:
    """A caseworker decides otherwise than proposed, with a reason code and a free-text reason.

    ``today``: the day the decision is made on (the web app's day; else the day of ``at``), which
    a reason code's conditions are also judged on (``_check_code_fits``).

    ``outcomes`` are the outcomes a caseworker may choose; by default those the case's own area
    declares (``engine.registry``: a CSI case never gets a verksamhetsstöd outcome). ``terms``
    is what the caseworker decided beside the outcome (checked by the caller against the
    policy's bounds); without ``terms`` a grant takes ``amount_sek`` (or the proposal's) and the
    proposal's level and period. An override to completion (``terms.completion_deadline``)
    leaves the case waiting for documents; every other override decides it. The proposal is
    kept beside the decision. ``also(session, case, record, at)`` stores what the decision
    brings with it in the same transaction (a CSI placement).
    """
    by = _check_by(by)
    at = S.as_utc(at)
    given = on
    lookup_reason_code(reason_code, on or machine_day(at))  # refused early, before the case is read
    reason = checked_text("--reason", reason, REASON_MAX, empty="en ändring kräver en motivering i fritext",
                          lines=True)
    if terms is not None:  # the documents a caseworker asks for in a completion
        asked = (checked_text("--item", item, ITEM_MAX, empty="ange vad som ska skickas in") for item in terms.requests)
        terms = replace(terms, requests=tuple(asked))
    if amount_sek is not None and amount_sek <= 0:
        raise InputRefused("--amount", f"måste vara ett belopp i kronor större än 0, fick {amount_sek}")

    def build(session, case, proposal):
        spec = spec_for_kind(case.kind)
        allowed = list(outcomes or spec.override_outcomes)
        if outcome not in allowed:
            raise InputRefused("--override", f"okänt utfall {shown_value(outcome)} för detta slags ärende; välj ett av "
                               f"{', '.join(allowed)}")
        if terms is None and outcome == spec.completion_outcome:
            raise InputRefused("--item", "en begäran om komplettering ska lista vad som ska skickas in")
        on = _decision_day(given, at, case, proposal, today)
        fixed = terms or _terms_from_proposal(proposal, outcome in spec.grant_outcomes, amount_sek)
        if outcome == proposal.outcome and (
                same_as_proposal(session, proposal) if same_as_proposal is not None else
                fixed.amount_sek == proposal.amount_sek
                and (fixed.granted_start, fixed.granted_end) == (proposal.granted_start, proposal.granted_end)):
            raise InputRefused("--override", f"beslutet är detsamma som förslaget ({outcome}); använd --confirm")
        code = lookup_reason_code(reason_code, on)
        _check_code_fits(session, case, code, outcome, on, day_of(at, today))
        return _store_override(session, case, proposal, outcome, fixed, code, reason, by, on, at, also)

    return _finish(store, case_ref, expected_version, build)


# -- reading ------------------------------------------------------------------------------


def current_raw(store: S.Store, case_ref: str | int) -> dict:
    """The JSON of the case's current application revision."""
    with store.read() as session:
        return dict(S.current_application(session, S.find_case(session, case_ref).id).raw)


def case_kind(store: S.Store, case_ref: str | int) -> str:
    """The kind of application a case holds (its rule area)."""
    with store.read() as session:
        return S.find_case(session, case_ref).kind


@dataclass
class QueueRow:
    case_id: int
    application_id: str
    kind: str
    status: str
    school_name: str
    district: str
    received: date
    days_waited: int  # processing time: the applicant's turns do not count
    target_days: Optional[int]
    over_target: bool
    proposal: Optional[str]
    version: int
    completion_deadline: Optional[date] = None  # while waiting for documents
    completion_overdue: bool = False  # the deadline has passed with no completion: due for avvisning

    def to_dict(self) -> dict:
        out = asdict(self)
        out["received"] = self.received.isoformat()
        out["completion_deadline"] = self.completion_deadline.isoformat() if self.completion_deadline else None
        return out


def queue(store: S.Store, on: date, target_days: int | None) -> list[QueueRow]:
    """Open cases, oldest receipt first, with processing time against the target.

    A case waiting for a completion whose deadline has passed is marked ``completion_overdue``:
    a caseworker closes it with ``avvisning`` (reason code ``KOMPLETTERING_UTEBLEV``).
    """
    from sqlalchemy import select

    from .models import OPEN_STATES

    with store.read() as session:
        # A case received after the day asked about was not yet in the queue that day.
        cases = session.execute(select(Case).where(Case.status.in_(OPEN_STATES), Case.received <= on)
                                .order_by(Case.received, Case.id)).scalars().all()
        return queue_rows(session, cases, on, target_days)


def queue_rows(session: Session, cases: list[Case], on: date, target_days: int | None) -> list[QueueRow]:
    """The queue's row of each case (``stod queue`` and the web's paged queue): processing time, deadline."""
    from sqlalchemy import select

    from .processing import days_of, pauses_by_case

    latest: dict[int, DecisionRecord] = {}
    pauses = {}
    if cases:
        ids = [c.id for c in cases]
        for rec in session.execute(select(DecisionRecord).where(DecisionRecord.case_id.in_(ids))
                                   .order_by(DecisionRecord.id)).scalars():
            latest[rec.case_id] = rec
        pauses = pauses_by_case(session, ids)
    rows = []
    for c in cases:
        waited = days_of(c, on, pauses)
        last = latest.get(c.id)
        deadline = last.completion_deadline if last is not None and c.status == KOMPLETTERING_BEGARD else None
        rows.append(QueueRow(c.id, c.application_id, c.kind, c.status, c.school_name, c.district, c.received,
                             waited, target_days, target_days is not None and waited > target_days,
                             last.outcome if last is not None else None, c.version, deadline,
                             deadline is not None and on > deadline))
    return rows


HIDDEN = "[dold: visas bara för handläggare]"
ROLE_SEES_DIAGNOSES = ("handlaggare",)


def hide_sensitive(raw: dict, role: str | None) -> dict:
    """The application as a role may see it: diagnoses only for caseworkers."""
    if role in ROLE_SEES_DIAGNOSES:
        return copy.deepcopy(raw)
    out = copy.deepcopy(raw)
    need = out.get("need")
    if isinstance(need, dict) and "diagnoses" in need:
        need["diagnoses"] = HIDDEN
    return out


def case_view(store: S.Store, case_ref: str | int, role: str | None = None) -> dict:
    """Everything about one case for ``stod show``: status, application, decisions, findings, events."""
    with store.read() as session:
        case = S.find_case(session, case_ref)
        apps = S.applications_of(session, case.id)
        decisions = S.decisions_of(session, case.id)
        events = S.events_of(session, case.id)
        out_decisions = []
        for rec in decisions:
            item = rec.model_dump(exclude={"parameters"})
            item["granted_period"] = rec.granted_period
            item["parameters"] = rec.parameters
            if rec.kind == PROPOSAL:
                item["findings"] = [{"rule_id": f.rule_id, "status": f.status, "decisive": f.decisive,
                                     "text": f.text} for f in S.findings_of(session, rec.id)]
            out_decisions.append(item)
        # The latest record: a decision, or a proposal made after it (a CSI place offered to a
        # pupil whose ko decision was confirmed; the proposal after a completion requested by override).
        current = out_decisions[-1] if out_decisions else None
        proposal = next((d for d in reversed(out_decisions) if d["kind"] == PROPOSAL), None)
        # An unkeyed hash of the whole application would let a reader test guesses of what is
        # hidden from them (the diagnoses): it is shown only to roles that see everything.
        full = role in ROLE_SEES_DIAGNOSES
        return {
            "case": case.model_dump(),
            "applications": [{"revision": a.revision, "received": a.received, **({"sha256": a.sha256} if full else {}),
                              "source": a.source, "stored_at": a.stored_at, "raw": hide_sensitive(a.raw, role)}
                             for a in apps],
            "current": current,
            "findings": (proposal or {}).get("findings", []),
            "decisions": out_decisions,
            "events": [{"seq": e.seq, "type": e.type, "actor": e.actor, "at": e.at,
                        "payload": e.payload if full else {k: v for k, v in (e.payload or {}).items() if k != "sha256"}}
                       for e in events],
            "role": role,
        }
