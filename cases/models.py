"""The case store's tables: applications, cases, decisions, findings, events, rulesets.

Design notes (so later work needs no painful migrations):
- ``applications`` keeps every revision of an application verbatim (``raw``) with the sha256
  of its canonical JSON; revision 1 is what the e-service first sent, later revisions come
  from completions. ``(application_id, revision)`` is unique; ``cases.application_id`` is
  unique, so one application id is one case.
- ``decisions`` holds both the engine's proposals and the caseworkers' decisions. A decision
  points to the proposal it confirms or overrides (``proposal_id``); findings hang on the
  proposals (they are the engine's evaluation), one row per rule. Each proposal records the
  application revision it evaluated, the ruleset (area, version, binding), the as-of date
  and the parameter values, so it can be replayed.
- ``events`` is an append-only hash chain per case: ``hash = sha256(prev_hash + canonical
  content)``; the case row keeps the head (``event_head``, ``event_count``) so deleting the
  last events is detectable too. See ``cases.events``.
- ``ruleset_versions`` keeps the rule files of every version that decided something.
- Status and kinds are plain strings (no database enums), so new kinds (CSI) and states need
  no migration.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")

# Case states (verksamhetsstöd); other kinds may add their own.
MOTTAGEN, FORSLAG, KOMPLETTERING_BEGARD, BESLUTAD = "mottagen", "forslag", "komplettering_begard", "beslutad"
OPEN_STATES = (MOTTAGEN, FORSLAG, KOMPLETTERING_BEGARD)
# The one set of Swedish words for the case states, for every front door and report.
STATUS_SV = {MOTTAGEN: "mottagen", FORSLAG: "förslag", KOMPLETTERING_BEGARD: "komplettering begärd",
             BESLUTAD: "beslutad"}

PROPOSAL, DECISION = "proposal", "decision"

EVENT_TYPES = ("received", "evaluated", "proposal", "completion_requested", "documents_added",
               "confirmed", "overridden", "placement", "release", "gallring")


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON_TYPE, nullable=nullable))


# The optimistic-lock column must be one Column object shared by the field and the mapper.
_case_version = Column("version", Integer, nullable=False, default=1)


class Row(SQLModel):
    """What every table with a surrogate key has: ``id``, an integer the database assigns."""

    id: Optional[int] = Field(default=None, primary_key=True)


class ChainLink(SQLModel):
    """The two columns of an entry in a hash chain (a case's events, the access log, the ledger):
    ``hash`` is ``sha256(prev_hash + the entry's content)``, ``prev_hash`` the hash of the entry before."""

    prev_hash: str
    hash: str


class Case(Row, table=True):
    """One application's case: where it stands and since when."""

    __tablename__ = "cases"
    __mapper_args__ = {"version_id_col": _case_version}

    kind: str = Field(index=True)
    application_id: str = Field(unique=True, index=True)
    status: str  # looked up by ix_cases_status_received (migration 0002)
    school_unit_code: str = Field(index=True)
    school_name: str
    district: str  # looked up by ix_cases_district_school (web_0002)
    received: date  # looked up by ix_cases_received_id (web_0002)
    created_at: datetime
    updated_at: datetime
    decided_on: Optional[date] = None
    event_count: int = 0
    event_head: str = ""
    version: int = Field(default=1, sa_column=_case_version)


class ApplicationRecord(Row, table=True):
    """One revision of an application, kept verbatim as the e-service sent it."""

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("application_id", "revision", name="uq_application_revision"),)

    case_id: int = Field(foreign_key="cases.id", index=True)
    application_id: str  # looked up by uq_application_revision (application_id, revision)
    revision: int
    kind: str
    received: date
    sha256: str = Field(index=True)
    raw: dict = _json()
    source: str = ""
    stored_at: datetime


class DecisionRecord(Row, table=True):
    """A proposal from the engine, or a caseworker's decision on one."""

    __tablename__ = "decisions"

    case_id: int = Field(foreign_key="cases.id", index=True)
    application_row_id: int = Field(foreign_key="applications.id", index=True)
    kind: str = Field(index=True)  # proposal | decision
    outcome: str = Field(index=True)
    decisive_rules: list = _json()
    amount_sek: Optional[int] = None
    level: Optional[int] = None
    granted_start: Optional[str] = None  # YYYY-MM
    granted_end: Optional[str] = None
    completion_deadline: Optional[date] = None
    requests: list = _json()
    ruleset_area: str
    ruleset_version: str = Field(index=True)
    ruleset_binding: str = ""
    decision_date: date = Field(index=True)
    parameters: dict = _json()
    text: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: Optional[str] = None
    override_reason_code: Optional[str] = None
    override_reason: Optional[str] = None
    # An overridden grant: what the engine computes for the same level and period (a grant
    # above it is flagged in the auditor's reports).
    computed_sek: Optional[int] = None
    proposal_id: Optional[int] = Field(default=None, foreign_key="decisions.id", index=True)
    created_at: datetime

    @property
    def granted_period(self) -> Optional[dict]:
        if self.granted_start is None:
            return None
        return {"start_month": self.granted_start, "end_month": self.granted_end}


class FindingRecord(Row, table=True):
    """How one rule came out in one proposal."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("decision_id", "rule_id", name="uq_finding_rule"),)

    decision_id: int = Field(foreign_key="decisions.id")  # looked up by uq_finding_rule (decision_id, rule_id)
    rule_id: str  # read with its proposal's findings (uq_finding_rule), never looked up alone
    status: str  # met | not_met | not_applicable | info
    decisive: bool = False
    text: str = Field(default="", sa_column=Column(Text, nullable=False))


class EventRecord(ChainLink, Row, table=True):
    """One entry of a case's append-only, hash-chained history."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_event_seq"),)

    case_id: int = Field(foreign_key="cases.id")  # looked up by uq_event_seq (case_id, seq)
    seq: int
    type: str = Field(index=True)
    actor: str
    at: datetime
    payload: dict = _json()


class RulesetVersion(Row, table=True):
    """The rule files of one ruleset version, kept so old decisions can be replayed."""

    __tablename__ = "ruleset_versions"
    __table_args__ = (UniqueConstraint("area", "version", name="uq_ruleset_version"),)

    area: str
    version: str
    files: dict = _json()
    stored_at: datetime


class Migration(SQLModel, table=True):
    """A named schema change, recorded when applied."""

    __tablename__ = "migrations"

    name: str = Field(primary_key=True)
    applied_at: datetime
