"""Processing time of stored cases: the applicant's turns read from the case history.

The definition (days from receipt to decision less the days from each ``komplettering`` to the
arrival of its documents) is the engine's one (``engine.processing``); this module only finds
the turns: each proposal or decision that asked for completion (it has a deadline) starts one
on its decision date, and the next application revision (the documents) ends it on the day it
arrived.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select
from sqlmodel import Session

from engine.processing import Pause, processing_days

from .models import ApplicationRecord, Case, DecisionRecord


def pauses_by_case(session: Session, case_ids: Iterable[int] | None = None) -> dict[int, list[Pause]]:
    """Each case's turns with the applicant, (asked, arrived or None), oldest first."""
    asks = select(DecisionRecord.case_id, DecisionRecord.decision_date, ApplicationRecord.revision).join(
        ApplicationRecord, ApplicationRecord.id == DecisionRecord.application_row_id).where(
        DecisionRecord.completion_deadline.is_not(None))
    revisions = select(ApplicationRecord.case_id, ApplicationRecord.revision, ApplicationRecord.received)
    if case_ids is not None:
        ids = list(case_ids)
        asks = asks.where(DecisionRecord.case_id.in_(ids))
        revisions = revisions.where(ApplicationRecord.case_id.in_(ids))
    arrived = {(case_id, revision): received for case_id, revision, received in session.execute(revisions)}
    out: dict[int, list[Pause]] = {}
    for case_id, asked, revision in session.execute(asks.order_by(DecisionRecord.id)):
        out.setdefault(case_id, []).append((asked, arrived.get((case_id, revision + 1))))
    return out


def days_of(case: Case, on: date, pauses: dict[int, list[Pause]]) -> int:
    """The case's processing time up to ``on`` (its decision day, or today for an open case)."""
    return processing_days(case.received, on, pauses.get(case.id, ()))
