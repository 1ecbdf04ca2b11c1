"""CSI in the case store: rounds, placements and waitlists, releases; the places taken per group.

Requests are stored as ordinary cases (kind ``csi``) with ``workflow.submit``. This module keeps
what a placement round and a release produce, beside the engine's proposals:

- ``csi_rounds``: one row per stored round of a term (``seq`` 1, 2, … per term), with a
  fingerprint of what it was run on (the requests, the catalogue and the places taken), so
  running the same round again is recognised and stores nothing;
- ``csi_placements``: a place in a group for one term (from a round or offered after a
  release), with its end and review dates, the rank, the proposal that gave it, and when and by
  whom it was ended early;
- ``csi_waitlist``: each waiting request's position in each group it matches, as the round gave
  it and as releases moved it up (``position``; ``round_position`` keeps the round's number).

Like the rest of ``cases/`` it evaluates no rule: the caller hands in the engine's decisions and
the round's results (``engine.areas.csi.api``) and this module stores and queries them. The tables
come with a named migration, registered when ``cases`` is imported.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import UniqueConstraint, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Field, Session, SQLModel

from engine.areas.csi import AREA as CSI, PLACED, WAITING
from engine.sensitive import shown_value

from . import store as S
from .errors import ConflictError, DuplicateApplication, InputRefused, MismatchError, NotFound, StateError
from .events import append_event
from .models import DECISION, PROPOSAL, ApplicationRecord, Case, DecisionRecord, Row
from .texts import NAME_MAX, checked_text
from .workflow import RulesFiles, _existing, _store_proposal, default_ruleset_files

KIND = CSI.kind
ROUND_ACTOR = "placeringsomgång"

# Waitlist entry states: still waiting; placed (by a release offer or a later round); or
# replaced by the waitlists of a later round of the same term.
W_WAITING, W_PLACED, W_SUPERSEDED = "waiting", "placed", "superseded"


# -- tables -------------------------------------------------------------------------------


class CsiRound(Row, table=True):
    """One stored placement round of a term."""

    __tablename__ = "csi_rounds"
    __table_args__ = (UniqueConstraint("term", "seq", name="uq_csi_round_seq"),)

    term: str = Field(index=True)
    seq: int
    decision_date: date
    # A fingerprint of the state the round left: the requests still waiting, the places taken
    # and the catalogue. A later run on the same state would be the same round (see round_inputs).
    state_sha: str
    requests: int  # requests judged in the round
    placed: int
    waiting: int
    actor: str
    run_at: datetime


class CsiPlacement(Row, table=True):
    """A place in a CSI group for one term, and its early end if the pupil went home."""

    __tablename__ = "csi_placements"
    # One place per request and term: the database itself refuses placing anyone twice.
    __table_args__ = (UniqueConstraint("case_id", "term", name="uq_csi_placement_case_term"),)

    case_id: int = Field(foreign_key="cases.id", index=True)
    application_id: str = Field(index=True)
    decision_id: int = Field(foreign_key="decisions.id", index=True)
    round_id: Optional[int] = Field(default=None, foreign_key="csi_rounds.id", index=True)
    freed_by_placement_id: Optional[int] = Field(default=None, foreign_key="csi_placements.id")
    term: str = Field(index=True)
    group_id: str = Field(index=True)
    school_unit_code: str
    school_name: str
    other_school: bool = False
    start: date
    end: date
    review_date: date
    rank: Optional[int] = None
    released_on: Optional[date] = None
    released_by: Optional[str] = None
    created_at: datetime

    @property
    def running(self) -> bool:
        return self.released_on is None


class CsiWaitlistEntry(Row, table=True):
    """A waiting request's place in one group's queue for one term."""

    __tablename__ = "csi_waitlist"
    __table_args__ = (UniqueConstraint("round_id", "group_id", "case_id", name="uq_csi_waitlist_entry"),)

    round_id: int = Field(foreign_key="csi_rounds.id", index=True)
    term: str = Field(index=True)
    group_id: str = Field(index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    application_id: str
    decision_id: int = Field(foreign_key="decisions.id")
    rank: Optional[int] = None
    round_position: int
    position: int
    status: str = Field(default=W_WAITING, index=True)
    updated_at: datetime


class CsiLoadedPlacement(Row, table=True):
    """A pupil already placed before the first stored round, loaded from the city's records.

    No case stands behind it (the decision was made outside this system); it holds its place
    like any running placement, so a round counts it as taken.
    """

    __tablename__ = "csi_loaded_placements"
    __table_args__ = (UniqueConstraint("pupil_ref", "term", name="uq_csi_loaded_pupil_term"),)

    pupil_ref: str = Field(index=True)  # the pseudonymous pupil reference, never a personnummer
    term: str = Field(index=True)
    group_id: str = Field(index=True)
    start: date
    end: date
    review_date: date
    source: str = ""
    loaded_by: str
    loaded_at: datetime
    released_on: Optional[date] = None
    released_by: Optional[str] = None


TABLES = (CsiRound, CsiPlacement, CsiWaitlistEntry)


def _create_tables(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[t.__table__ for t in TABLES])


def _create_loaded_placements(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[CsiLoadedPlacement.__table__])


S.register_migration("csi_0001_rounds_placements_waitlists", _create_tables)
S.register_migration("csi_0002_loaded_placements", _create_loaded_placements)


# -- receiving a batch ----------------------------------------------------------------------


def refuse_conflicts(store: S.Store, raws: Iterable[dict]) -> None:
    """Refuse a batch (a round file's requests) before any is stored if one id is taken by other content.

    ``workflow.submit`` refuses such a request on its own; checking the batch first keeps a
    refused file from being half stored.
    """
    with store.read() as session:
        for raw in raws:
            found = _existing(session, raw["application_id"], S.sha256_of(raw))
            if found is not None and not found[1]:
                raise DuplicateApplication(raw["application_id"], found[0].id)


# -- what a round is run on -----------------------------------------------------------------


@dataclass
class StoredRequest:
    """A stored request as the round needs it: its case and the current revision's JSON."""

    case_id: int
    application_id: str
    sha256: str
    raw: dict


@dataclass
class RoundInputs:
    """The stored requests a round of ``term`` judges, the places taken, and the last round."""

    term: str
    requests: list[StoredRequest]
    taken: dict[str, int]
    last_seq: int  # 0 when no round of the term is stored
    last_state_sha: str | None  # the fingerprint of the state the last round left
    last_decision_date: date | None


def _overridden():
    """A placement whose proposal a caseworker overrode (to another outcome, group or term): the
    proposal held the place only until then (the policy), so it holds none and gave none."""
    return select(DecisionRecord.id).where(
        DecisionRecord.proposal_id == CsiPlacement.decision_id, DecisionRecord.kind == DECISION,
        DecisionRecord.override_reason_code.is_not(None)).exists()


def placed_case_ids(session: Session) -> set[int]:
    """Cases that have had a place (in any term): they are not ranked again."""
    return set(session.execute(select(CsiPlacement.case_id).where(~_overridden())).scalars())


def places_taken(session: Session, start: date, end: date) -> dict[str, int]:
    """Places taken per group in a period: placements that overlap it, were not ended early and
    whose proposal was not overridden, and the pupils loaded as already placed."""
    rows = session.execute(
        select(CsiPlacement.group_id, func.count()).where(
            CsiPlacement.released_on.is_(None), CsiPlacement.start <= end, CsiPlacement.end >= start,
            ~_overridden())
        .group_by(CsiPlacement.group_id))
    taken = {gid: n for gid, n in rows}
    for gid, n in session.execute(select(CsiLoadedPlacement.group_id, func.count()).where(
            CsiLoadedPlacement.released_on.is_(None), CsiLoadedPlacement.start <= end, CsiLoadedPlacement.end >= start)
            .group_by(CsiLoadedPlacement.group_id)):
        taken[gid] = taken.get(gid, 0) + n
    return taken


@dataclass(frozen=True)
class PlacementToLoad:
    """One pupil already placed, checked by the caller against the catalogue and the term."""

    pupil_ref: str
    term: str
    group_id: str
    start: date
    end: date
    review_date: date


def load_placements(store: S.Store, rows: list[PlacementToLoad], capacity: Mapping[str, int], *, by: str,
                    source: str = "", at: datetime | None = None) -> tuple[int, int]:
    """Store pupils already placed, all or nothing; returns (loaded, already there).

    A row already loaded (same pupil and term, same group and dates) is left as it is; the same
    pupil and term with other data is refused, and so is a group that would hold more pupils
    than its ``capacity`` (group id -> places).
    """
    by = checked_text("--by", by, NAME_MAX, empty="en inläsning av placeringar kräver en namngiven handläggare")
    at = S.as_utc(at)
    loaded = already = 0
    with store.write() as session:
        for i, row in enumerate(rows):
            found = session.execute(select(CsiLoadedPlacement).where(
                CsiLoadedPlacement.pupil_ref == row.pupil_ref, CsiLoadedPlacement.term == row.term)).scalars().first()
            if found is not None:
                if (found.group_id, found.start, found.end) != (row.group_id, row.start, row.end):
                    raise InputRefused(f"placements[{i}]", f"eleven är redan inläst för {row.term} i "
                                       f"{found.group_id} från {found.start}; inget sparades")
                already += 1
                continue
            session.add(CsiLoadedPlacement(pupil_ref=row.pupil_ref, term=row.term, group_id=row.group_id,
                                           start=row.start, end=row.end, review_date=row.review_date,
                                           source=source, loaded_by=by, loaded_at=at))
            loaded += 1
        session.flush()
        for term in sorted({r.term for r in rows}):
            first = min(r.start for r in rows if r.term == term)
            last = max(r.end for r in rows if r.term == term)
            for gid, n in places_taken(session, first, last).items():
                if gid in capacity and n > capacity[gid]:
                    raise InputRefused("placements", f"gruppen {gid} skulle få {n} elever för {term} men har "
                                       f"{capacity[gid]} platser; inget sparades")
    return loaded, already


def _last_round(session: Session, term: str) -> CsiRound | None:
    return session.execute(select(CsiRound).where(CsiRound.term == term).order_by(CsiRound.seq.desc())
                           .limit(1)).scalars().first()


def _latest_outcomes(session: Session) -> dict[int, str]:
    """The outcome of each CSI case's latest proposal or decision."""
    latest = (select(DecisionRecord.case_id, func.max(DecisionRecord.id).label("last"))
              .join(Case, Case.id == DecisionRecord.case_id).where(Case.kind == KIND)
              .group_by(DecisionRecord.case_id).subquery())
    rows = session.execute(select(DecisionRecord.case_id, DecisionRecord.outcome)
                           .join(latest, DecisionRecord.id == latest.c.last))
    return {case_id: outcome for case_id, outcome in rows}


def round_inputs(store: S.Store, term: str, start: date, end: date, waiting_outcomes: Iterable[str]) -> RoundInputs:
    """What a round of ``term`` (``start``–``end``) is run on.

    The requests are the CSI cases whose latest proposal or decision is one of
    ``waiting_outcomes`` (the engine's "eligible, awaiting a round" outcome and ``ko``) and that
    have never had a place; places taken are the placements running in the term.
    """
    waiting_outcomes = set(waiting_outcomes)
    with store.read() as session:
        placed = placed_case_ids(session)
        ids = sorted(cid for cid, outcome in _latest_outcomes(session).items()
                     if outcome in waiting_outcomes and cid not in placed)
        requests = []
        if ids:
            current = (select(ApplicationRecord.case_id, func.max(ApplicationRecord.revision).label("rev"))
                       .where(ApplicationRecord.case_id.in_(ids)).group_by(ApplicationRecord.case_id).subquery())
            rows = session.execute(select(ApplicationRecord).join(
                current, (ApplicationRecord.case_id == current.c.case_id)
                & (ApplicationRecord.revision == current.c.rev)).order_by(ApplicationRecord.application_id))
            requests = [StoredRequest(r.case_id, r.application_id, r.sha256, dict(r.raw)) for r in rows.scalars()]
        last = _last_round(session, term)
        return RoundInputs(term, requests, places_taken(session, start, end), last.seq if last else 0,
                           last.state_sha if last else None, last.decision_date if last else None)


# -- storing a round ------------------------------------------------------------------------


@dataclass
class StoredResult:
    """What the store did with one request of a round (or of a release offer)."""

    case_id: int
    application_id: str
    outcome: str
    decision_id: int
    placement_id: Optional[int] = None
    group: Optional[str] = None
    rank: Optional[int] = None
    positions: dict[str, int] = field(default_factory=dict)


@dataclass
class StoredRound:
    term: str
    seq: int
    round_id: int
    created: bool
    results: dict[str, StoredResult]
    decision_date: date | None = None
    stored_counts: dict[str, int] | None = None  # for a round read back without its results

    def counts(self) -> dict[str, int]:
        if self.stored_counts is not None:
            return dict(self.stored_counts)
        out: dict[str, int] = {"requests": len(self.results)}
        for r in self.results.values():
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return out

    def to_dict(self) -> dict:
        return {"term": self.term, "round": self.seq, "created": self.created,
                "decision_date": self.decision_date.isoformat() if self.decision_date else None,
                "counts": self.counts(), "results": {k: asdict(v) for k, v in self.results.items()}}


def _placement_from(case: Case, record: DecisionRecord, result: Mapping, term: str, at: datetime,
                    round_id: int | None = None, freed_by: int | None = None) -> CsiPlacement:
    period = result["placement"]
    school = result["school"]
    return CsiPlacement(case_id=case.id, application_id=case.application_id, decision_id=record.id,
                        round_id=round_id, freed_by_placement_id=freed_by, term=term, group_id=result["group"],
                        school_unit_code=school["unit_code"], school_name=school["name"],
                        other_school=bool(result.get("other_school")), start=S.day(period["start"]),
                        end=S.day(period["end"]), review_date=S.day(period["review_date"]),
                        rank=result.get("rank"), created_at=at)


def _placement_event(session: Session, case: Case, placement: CsiPlacement, actor: str, at: datetime,
                     **extra) -> None:
    append_event(session, case, "placement", actor, {
        "placement_id": placement.id, "decision_id": placement.decision_id, "term": placement.term,
        "group": placement.group_id, "school_unit_code": placement.school_unit_code,
        "start": placement.start, "end": placement.end, "review_date": placement.review_date,
        "rank": placement.rank, "other_school": placement.other_school, **extra}, at)


def store_round(store: S.Store, inputs: RoundInputs, state_sha: str, decisions: Mapping[str, Any],
                results: Mapping[str, Mapping], *, decision_date: date, actor: str = ROUND_ACTOR,
                at: datetime | None = None, rules_files: RulesFiles = default_ruleset_files) -> StoredRound:
    """Store a decided round in one transaction: proposals, placements, waitlists, events.

    ``decisions`` are the engine's Decisions by application id and ``results`` the round's
    result objects (``engine.areas.csi.api.result_of``: outcome, group, school, placement, rank,
    positions); ``state_sha`` fingerprints the state the round leaves (kept to recognise a re-run). The round must have been decided on ``inputs``: if another round of the term
    was stored meanwhile, or a request got a place meanwhile, nothing is stored
    (``ConflictError``). The term's earlier waitlists are replaced by this round's, since the
    round ranks every request still waiting.
    """
    at = S.as_utc(at)
    by_id = {r.application_id: r for r in inputs.requests}
    unknown = sorted(set(results) - set(by_id))
    if unknown or set(decisions) != set(results):
        raise MismatchError(f"resultat för ansökningar som inte är omgångens: {', '.join(unknown) or 'beslut och resultat skiljer'}; "
                            "inget sparades")
    try:
        with store.write() as session:
            last = _last_round(session, inputs.term)
            if (last.seq if last else 0) != inputs.last_seq:
                raise ConflictError(inputs.term, f"en annan omgång för {inputs.term} (omgång {last.seq}) sparades "
                                    "medan denna kördes; inget sparades — kör omgången igen")
            already = placed_case_ids(session) & {r.case_id for r in inputs.requests}
            if already:
                raise ConflictError(inputs.term, "en ansökan i omgången fick plats medan omgången kördes; inget "
                                    "sparades — kör omgången igen")
            placed = sum(1 for r in results.values() if r.get("outcome") == PLACED)
            waiting = sum(1 for r in results.values() if r.get("outcome") == WAITING)
            row = CsiRound(term=inputs.term, seq=inputs.last_seq + 1, decision_date=decision_date,
                           state_sha=state_sha, requests=len(results), placed=placed, waiting=waiting,
                           actor=actor, run_at=at)
            session.add(row)
            session.flush()
            for entry in session.execute(select(CsiWaitlistEntry).where(
                    CsiWaitlistEntry.term == inputs.term, CsiWaitlistEntry.status == W_WAITING)).scalars():
                entry.status, entry.updated_at = W_SUPERSEDED, at

            stored: dict[str, StoredResult] = {}
            for application_id in sorted(results):
                result, request = results[application_id], by_id[application_id]
                stored[application_id] = _store_round_result(store, session, row, request.case_id,
                                                             decisions[application_id], result, at, actor,
                                                             rules_files)
            session.flush()
            return StoredRound(inputs.term, row.seq, row.id, True, stored, decision_date)
    except (IntegrityError, StaleDataError):
        raise ConflictError(inputs.term, f"en annan omgång eller ändring för {inputs.term} sparades samtidigt; "
                            "inget sparades — kör omgången igen") from None


def _store_round_result(store: S.Store, session: Session, row: CsiRound, case_id: int, decision, result: Mapping,
                        at: datetime, actor: str, rules_files: RulesFiles) -> StoredResult:
    """One request of a stored round: its proposal, and its place or its waitlist positions."""
    case = session.get(Case, case_id)
    app_row = S.current_application(session, case.id)
    record = _store_proposal(store, session, case, app_row, decision, at, actor, rules_files)
    session.flush()
    out = StoredResult(case.id, case.application_id, record.outcome, record.id, rank=result.get("rank"))
    if record.outcome == PLACED:
        placement = _placement_from(case, record, result, row.term, at, round_id=row.id)
        session.add(placement)
        session.flush()
        _placement_event(session, case, placement, actor, at, round=row.seq)
        out.placement_id, out.group = placement.id, placement.group_id
    elif record.outcome == WAITING:
        out.positions = dict(result.get("positions") or {})
        for gid, position in sorted(out.positions.items()):
            session.add(CsiWaitlistEntry(round_id=row.id, term=row.term, group_id=gid, case_id=case.id,
                                         application_id=case.application_id, decision_id=record.id,
                                         rank=result.get("rank"), round_position=position, position=position,
                                         updated_at=at))
    return out


def last_round(store: S.Store, term: str) -> StoredRound | None:
    """The latest stored round of a term, with its counts (None when the term has had none)."""
    with store.read() as session:
        row = _last_round(session, term)
        if row is None:
            return None
        return StoredRound(term, row.seq, row.id, False, {}, row.decision_date,
                           {"requests": row.requests, PLACED: row.placed, WAITING: row.waiting})


# -- releases -------------------------------------------------------------------------------


@dataclass
class PlacementView:
    id: int
    case_id: int
    application_id: str
    term: str
    group_id: str
    school_unit_code: str
    school_name: str
    start: date
    end: date
    review_date: date
    rank: Optional[int]
    released_on: Optional[date]
    released_by: Optional[str]
    loaded: bool = False  # a pupil loaded as already placed (no case; application_id is the pupil's ref)

    @classmethod
    def of(cls, p) -> "PlacementView":
        if isinstance(p, CsiLoadedPlacement):
            return cls(p.id, 0, p.pupil_ref, p.term, p.group_id, "", "", p.start, p.end, p.review_date, None,
                       p.released_on, p.released_by, loaded=True)
        return cls(p.id, p.case_id, p.application_id, p.term, p.group_id, p.school_unit_code, p.school_name,
                   p.start, p.end, p.review_date, p.rank, p.released_on, p.released_by)

    @property
    def label(self) -> str:
        """How a person names it: the placement's number, or L and the number of a loaded one."""
        return f"{LOADED_PREFIX}{self.id}" if self.loaded else str(self.id)

    def to_dict(self) -> dict:
        return S.jsonable(asdict(self))


@dataclass
class WaitingRequest:
    """A request on a group's waitlist, first in line first, with the JSON to judge it by."""

    entry_id: int
    case_id: int
    application_id: str
    position: int
    rank: Optional[int]
    raw: dict


@dataclass
class ReleasePlan:
    placement: PlacementView
    waitlist: list[WaitingRequest]  # those still without a place, in order


LOADED_PREFIX = "L"


def find_placement(session: Session, ref: str | int):
    """A placement by its number, or the placement of an application id (the latest); a loaded
    one (``CsiLoadedPlacement``) by L and its number, or by the pupil's reference."""
    text = str(ref).strip()
    number = S.row_id(text)
    found = session.get(CsiPlacement, number) if number is not None else None
    loaded = S.row_id(text[1:]) if text[:1].upper() == LOADED_PREFIX else None
    if found is None and loaded is not None:
        found = session.get(CsiLoadedPlacement, loaded)
    if found is None and len(text) <= S.REF_MAX:
        found = session.execute(select(CsiPlacement).where(CsiPlacement.application_id == text)
                                .order_by(CsiPlacement.id.desc()).limit(1)).scalars().first()
    if found is None and len(text) <= S.REF_MAX:
        found = session.execute(select(CsiLoadedPlacement).where(CsiLoadedPlacement.pupil_ref == text)
                                .order_by(CsiLoadedPlacement.id.desc()).limit(1)).scalars().first()
    if found is None:
        raise NotFound(f"ingen placering med nummer eller ansöknings-id {shown_value(text)}; se stod csi groups")
    return found


def _deciding(session: Session, placement: CsiPlacement) -> DecisionRecord | None:
    """The caseworker's decision on this place: the confirmation of the proposal that gave it, or
    the override that gave it (the policy: only a confirmed placement can be released); None if
    nobody decided it."""
    given_by = session.get(DecisionRecord, placement.decision_id)
    if given_by is not None and given_by.kind == DECISION:
        return given_by
    return session.execute(select(DecisionRecord).where(
        DecisionRecord.case_id == placement.case_id, DecisionRecord.kind == DECISION,
        DecisionRecord.proposal_id == placement.decision_id, DecisionRecord.outcome == PLACED)
        .order_by(DecisionRecord.id).limit(1)).scalars().first()


def _confirmed(session: Session, placement: CsiPlacement) -> bool:
    """Whether a caseworker decided this place (see ``_deciding``)."""
    return _deciding(session, placement) is not None


def _waiting(session: Session, term: str, group_id: str) -> list[CsiWaitlistEntry]:
    return list(session.execute(select(CsiWaitlistEntry).where(
        CsiWaitlistEntry.term == term, CsiWaitlistEntry.group_id == group_id, CsiWaitlistEntry.status == W_WAITING)
        .order_by(CsiWaitlistEntry.position, CsiWaitlistEntry.id)).scalars())


def plan_release(store: S.Store, ref: str | int, day: date) -> ReleasePlan:
    """The placement to end on ``day`` and the group's waitlist for its term, first in line first.

    Refused when the placement has already been ended, or ends on ``day`` or earlier anyway, and
    when ``day`` is before the placement begins or before the decision that gave it (an end
    cannot come before what it ends). Requests that got a place since the round are left out
    of the waitlist.
    """
    with store.read() as session:
        placement = find_placement(session, ref)
        view = PlacementView.of(placement)
        if placement.released_on is not None:
            raise StateError(f"placering {view.label} ({view.application_id}) avslutades redan "
                             f"{placement.released_on} av {placement.released_by}")
        if day >= placement.end:
            raise InputRefused("--date", f"placering {view.label} upphör ändå {placement.end}; ett tidigt "
                               f"avslut ska ha ett datum före det, fick {day}")
        decided = None
        if not view.loaded:
            if session.execute(select(CsiPlacement.id).where(CsiPlacement.id == placement.id, _overridden())).first():
                raise StateError(f"placering {placement.id} ({placement.application_id}) var ett förslag som en "
                                 "handläggare har ändrat; den håller ingen plats och kan inte avslutas (se stod show "
                                 f"{placement.case_id})")
            decision = _deciding(session, placement)
            if decision is None:
                raise StateError(f"placering {placement.id} ({placement.application_id}) är ett förslag som ingen "
                                 f"handläggare har fastställt; bara en fastställd placering kan avslutas (fastställ "
                                 f"med stod decide {placement.case_id} --confirm, eller ändra förslaget)")
            decided = decision.decision_date
        if day < placement.start:
            raise InputRefused("--date", f"{day} är före placeringens början {placement.start} (placering "
                               f"{view.label}, {placement.group_id}, {placement.term}); ett avslut kan inte ligga "
                               f"före det som avslutas — ange {placement.start} eller senare")
        if decided is not None and day < decided:
            raise InputRefused("--date", f"{day} är före beslutet om placeringen {decided} (placering "
                               f"{view.label}, {placement.group_id}, {placement.term}); ett avslut kan inte ligga "
                               f"före beslutet — ange {decided} eller senare")
        placed = placed_case_ids(session)
        waiting = []
        for entry in _waiting(session, placement.term, placement.group_id):
            if entry.case_id in placed:
                continue
            raw = dict(S.current_application(session, entry.case_id).raw)
            waiting.append(WaitingRequest(entry.id, entry.case_id, entry.application_id, entry.position,
                                          entry.rank, raw))
        return ReleasePlan(view, waiting)


@dataclass
class Offer:
    """The place offered to the first in line: the engine's decision and its result object."""

    case_id: int
    decision: Any
    result: Mapping
    term: Optional[str] = None  # the term of the place offered, when not the released placement's (CSI-R4)


@dataclass
class StoredRelease:
    placement: PlacementView
    offered: Optional[StoredResult]
    moved: dict[str, dict[str, int]]  # application id -> {group: new position}

    def to_dict(self) -> dict:
        return {"placement": self.placement.to_dict(), "offered": asdict(self.offered) if self.offered else None,
                "moved": self.moved}


def _renumber(session: Session, term: str, group_id: str, placed: set[int], actor: str, at: datetime,
              cause: dict, moved: dict[str, dict[str, int]]) -> None:
    """Close the gaps in a group's waitlist: who got a place leaves it, the others move up."""
    position = 0
    for entry in _waiting(session, term, group_id):
        if entry.case_id in placed:
            entry.status, entry.updated_at = W_PLACED, at
            continue
        position += 1
        if entry.position != position:
            before, entry.position, entry.updated_at = entry.position, position, at
            moved.setdefault(entry.application_id, {})[group_id] = position
            append_event(session, session.get(Case, entry.case_id), "release", actor, {
                **cause, "waitlist": {"term": term, "group": group_id, "from": before, "to": position}}, at)


def _store_offer(store: S.Store, session: Session, offer: Offer, released: PlacementView, by: str, at: datetime,
                 rules_files: RulesFiles) -> StoredResult:
    """The freed place offered: a placering proposal on the first in line's case and its placement."""
    case = session.get(Case, offer.case_id)
    app_row = S.current_application(session, case.id)
    record = _store_proposal(store, session, case, app_row, offer.decision, at, by, rules_files)
    session.flush()
    if record.outcome != PLACED or offer.result.get("group") != released.group_id:
        raise MismatchError(f"erbjudandet till {case.application_id} är {record.outcome} i "
                            f"{offer.result.get('group')}, inte en plats i {released.group_id}; inget sparades")
    placement = _placement_from(case, record, offer.result, offer.term or released.term, at,
                                freed_by=None if released.loaded else released.id)
    placement.rank = offer.result.get("rank")
    session.add(placement)
    session.flush()
    freed_by = {"freed_by_loaded_placement": released.id} if released.loaded else {"freed_by_placement_id": released.id}
    _placement_event(session, case, placement, by, at, **freed_by)
    return StoredResult(case.id, case.application_id, record.outcome, record.id, placement.id, placement.group_id,
                        placement.rank)


RELEASE_BY = "ett avslut av en placering kräver en namngiven handläggare"


def store_release(store: S.Store, plan: ReleasePlan, day: date, by: str, offer: Offer | None, *,
                  at: datetime | None = None, rules_files: RulesFiles = default_ruleset_files) -> StoredRelease:
    """End a placement on ``day`` and, with ``offer``, give the freed place to the first in line.

    One transaction: the placement is marked ended, the released case gets a ``release`` event,
    the offered case a proposal (placering) and a ``placement`` event, and every waitlist of the
    term that the offered request stood on moves up by one (each moved request gets a
    ``release`` event saying from and to which position). Refused with a conflict if the
    placement or the waitlist changed since ``plan_release``.
    """
    by = checked_text("--by", by, NAME_MAX, empty=RELEASE_BY)
    at = S.as_utc(at)
    p = plan.placement
    try:
        with store.write() as session:
            placement = session.get(CsiLoadedPlacement if p.loaded else CsiPlacement, p.id)
            if placement.released_on is not None:
                raise ConflictError(p.id, f"placering {p.label} avslutades av {placement.released_by} medan detta "
                                    "förbereddes; inget sparades")
            placed = placed_case_ids(session)
            now_waiting = [e.id for e in _waiting(session, p.term, p.group_id) if e.case_id not in placed]
            if now_waiting != [w.entry_id for w in plan.waitlist]:
                raise ConflictError(p.id, f"kön till {p.group_id} ändrades medan detta förbereddes; inget sparades "
                                    "— försök igen")
            placement.released_on, placement.released_by = day, by
            cause = {"released_placement_id": p.label, "group": placement.group_id, "released_on": day}
            offered = _store_offer(store, session, offer, p, by, at, rules_files) if offer else None
            if offered is not None:
                placed.add(offered.case_id)
            if not p.loaded:  # a loaded pupil has no case (and no history) here
                append_event(session, session.get(Case, placement.case_id), "release", by, {
                    "placement_id": placement.id, "term": placement.term, "group": placement.group_id,
                    "released_on": day, "planned_end": placement.end,
                    "offered_placement_id": offered.placement_id if offered else None}, at)
            moved: dict[str, dict[str, int]] = {}
            groups = {p.group_id}
            if offer is not None:
                groups |= set(session.execute(select(CsiWaitlistEntry.group_id).where(
                    CsiWaitlistEntry.term == p.term, CsiWaitlistEntry.case_id == offer.case_id,
                    CsiWaitlistEntry.status == W_WAITING)).scalars())
            for gid in sorted(groups):
                _renumber(session, p.term, gid, placed, by, at, cause, moved)
            session.flush()
            return StoredRelease(PlacementView.of(placement), offered, moved)
    except (IntegrityError, StaleDataError):
        raise ConflictError(p.id, f"placering {p.id} eller kön ändrades av någon annan samtidigt; inget sparades "
                            "— försök igen") from None


def placeable_terms(day: date) -> tuple[str, str]:
    """The terms a caseworker can decide a place for on ``day``: the term running (between terms,
    the next to start) and the term after it.

    The policy is silent; the city's choice: a place is decided for the term at hand or the next
    one, as the rounds and the offers of freed places (CSI-R4) are; a term that has ended, or one
    further ahead, is no placement anyone can start or review.
    """
    from engine.area import load_area
    from engine.areas.csi.api import term_of
    from engine.areas.csi.facts import terms_table
    from engine.areas.csi.round import next_term

    area = load_area(CSI.name)
    table = lambda year: terms_table(area.param, year)  # noqa: E731
    running = next((t for t in (term_of(f"{k}{day.year}", area) for k in ("VT", "HT")) if t.start <= day <= t.end),
                   None) or next_term(day, table)
    return running.code, next_term(running.end + timedelta(days=1), table).code


def check_placeable_term(term: str, day: date, option: str = "--term") -> None:
    """Refuse (naming ``option``) a place in ``term`` decided on ``day`` when the term has ended by
    then or lies further ahead than ``placeable_terms``."""
    from engine.areas.csi.api import term_of
    from engine.errors import EngineError

    try:
        allowed = placeable_terms(day)
        of_term = term_of(term)
    except (ValueError, EngineError):
        raise InputRefused("--date", f"reglerna har inga terminsdatum för CSI kring {day}; ange ett beslutsdatum "
                                     "som reglerna har terminer för") from None
    if term in allowed:
        return
    choose = f"välj {allowed[0]} (terminen som pågår eller börjar härnäst) eller {allowed[1]}"
    start, end = of_term.start, of_term.end
    if end < day:
        raise InputRefused(option, f"{term} ({start}–{end}) är redan slut på beslutsdagen {day}; en placering "
                                   f"kan inte gälla en termin som har passerat — {choose}")
    raise InputRefused(option, f"{term} ({start}–{end}) ligger för långt fram från beslutsdagen {day}; en "
                               f"placering beslutas för terminen som pågår eller nästa — {choose}")


def same_place(term: str, group_id: str):
    """Whether an override to ``placering`` in ``group_id`` for ``term`` is the proposal itself: the
    proposal is a place in that group and term (``workflow.override(same_as_proposal=…)``). Another
    group or term is a change of the decision, not a confirmation."""

    def same(session: Session, proposal: DecisionRecord) -> bool:
        held = session.execute(select(CsiPlacement).where(CsiPlacement.decision_id == proposal.id)).scalars().first()
        return held is not None and (held.term, held.group_id) == (term, group_id)

    return same


def placement_by_override(term: str, group_id: str, unit: str, name: str, other_school: bool, start: date,
                          end: date, review: date):
    """What an override to ``placering`` stores beside its decision (``workflow.override(also=…)``):
    the place, held like any confirmed placement.

    Refused (``--term``) when the term has ended on the decision date or lies further ahead than
    the next term (``placeable_terms``). When the overridden proposal held a place in the same
    term (a round's place in another group), that place is moved to the decided group, so the
    proposal's place is given up and the pupil holds one place; a proposal's place in another
    term is given up by the override itself (``places_taken``)."""

    def store_place(session: Session, case: Case, record: DecisionRecord, at: datetime) -> None:
        check_placeable_term(term, record.decision_date)
        actor = record.decided_by or ""
        placement = session.execute(select(CsiPlacement).where(
            CsiPlacement.case_id == case.id, CsiPlacement.term == term,
            CsiPlacement.decision_id == record.proposal_id, CsiPlacement.released_on.is_(None))).scalars().first()
        moved = {}
        if placement is None:
            placement = CsiPlacement(case_id=case.id, application_id=case.application_id, decision_id=record.id,
                                     term=term, group_id=group_id, school_unit_code=unit, school_name=name,
                                     other_school=other_school, start=start, end=end, review_date=review,
                                     created_at=at)
            session.add(placement)
        else:
            moved = {"moved_from": {"group": placement.group_id, "school_unit_code": placement.school_unit_code,
                                    "start": placement.start, "end": placement.end,
                                    "proposal_id": placement.decision_id}}
            placement.decision_id, placement.group_id, placement.school_unit_code = record.id, group_id, unit
            placement.school_name, placement.other_school = name, other_school
            placement.start, placement.end, placement.review_date = start, end, review
            placement.rank = placement.round_id = placement.freed_by_placement_id = None
        session.flush()
        _placement_event(session, case, placement, actor, at, override_decision_id=record.id, **moved)

    return store_place


def taken_in(store: S.Store, start: date, end: date) -> dict[str, int]:
    """Places taken per group in a period (``places_taken`` in its own read)."""
    with store.read() as session:
        return places_taken(session, start, end)


# -- figures --------------------------------------------------------------------------------


def waitlist_lengths(session: Session, term: str) -> dict[str, int]:
    """Requests waiting per group in a term (those that got a place since are not counted)."""
    placed = placed_case_ids(session)
    out: dict[str, int] = {}
    for gid, case_id in session.execute(select(CsiWaitlistEntry.group_id, CsiWaitlistEntry.case_id).where(
            CsiWaitlistEntry.term == term, CsiWaitlistEntry.status == W_WAITING)):
        if case_id not in placed:
            out[gid] = out.get(gid, 0) + 1
    return out


@dataclass
class TermFigures:
    term: str
    taken: dict[str, int]
    waiting: dict[str, int]
    rounds: int


def term_figures(store: S.Store, term: str, start: date, end: date) -> TermFigures:
    """Places taken and requests waiting per group in a term, and how many rounds it has had."""
    with store.read() as session:
        last = _last_round(session, term)
        return TermFigures(term, places_taken(session, start, end), waitlist_lengths(session, term),
                           last.seq if last else 0)


def placements(store: S.Store, term: str | None = None) -> list[PlacementView]:
    """Stored placements (of one term), by group and number; a proposal's place that a caseworker
    overrode is none."""
    with store.read() as session:
        query = select(CsiPlacement).where(~_overridden())
        if term:
            query = query.where(CsiPlacement.term == term)
        return [PlacementView.of(p) for p in session.execute(
            query.order_by(CsiPlacement.group_id, CsiPlacement.id)).scalars()]


def waitlist(store: S.Store, term: str, group_id: str) -> list[dict]:
    """One group's waitlist in a term, first in line first."""
    with store.read() as session:
        placed = placed_case_ids(session)
        return [{"application_id": e.application_id, "position": e.position, "round_position": e.round_position}
                for e in _waiting(session, term, group_id) if e.case_id not in placed]



def placement_status(store: S.Store, case_ids: Iterable[int]) -> dict[int, dict]:
    """For each case: its placements (running or ended; not a proposal's place that a caseworker
    overrode) and the waitlist places it holds now."""
    ids = list(case_ids)
    out: dict[int, dict] = {i: {"placements": [], "waiting": []} for i in ids}
    if not ids:
        return out
    with store.read() as session:
        placed = placed_case_ids(session)
        for p in session.execute(select(CsiPlacement).where(CsiPlacement.case_id.in_(ids), ~_overridden())
                                 .order_by(CsiPlacement.term, CsiPlacement.id)).scalars():
            out[p.case_id]["placements"].append(PlacementView.of(p))
        for e in session.execute(select(CsiWaitlistEntry).where(CsiWaitlistEntry.case_id.in_(ids),
                                                                CsiWaitlistEntry.status == W_WAITING)
                                 .order_by(CsiWaitlistEntry.term, CsiWaitlistEntry.group_id)).scalars():
            if e.case_id not in placed:
                out[e.case_id]["waiting"].append({"term": e.term, "group_id": e.group_id, "position": e.position})
    return out


__all__ = ["refuse_conflicts", "CsiLoadedPlacement", "PlacementToLoad", "load_placements", "CsiPlacement", "CsiRound",
           "CsiWaitlistEntry", "Offer", "PlacementView", "ReleasePlan", "RoundInputs",
           "StoredRelease", "StoredRequest", "StoredResult", "StoredRound", "check_placeable_term", "find_placement",
           "placed_case_ids", "placeable_terms", "places_taken", "placement_by_override", "placement_status",
           "placements", "plan_release", "round_inputs", "last_round", "same_place", "store_release",
           "store_round", "term_figures", "waitlist", "waitlist_lengths"]
