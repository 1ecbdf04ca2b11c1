"""Paged and filtered lists of cases for the web: the queue, a principal's own cases, filter values.

Counted and paged in the database (the queue must stay fast with 100k cases); read only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import func, select

from . import workflow
from .models import OPEN_STATES, Case
from .store import Store, current_application


@dataclass
class QueuePage:
    rows: list
    total: int
    page: int
    pages: int
    per_page: int


QUEUE_SORT = (Case.received, Case.id)


def queue_page(store: Store, on: date, target: int | None, *, kind: str = "", district: str = "", school: str = "",
               status: str = "", schools: Optional[tuple[str, ...]] = None, open_only: bool = True, page: int = 1,
               per_page: int = 50) -> QueuePage:
    """One page of cases, oldest receipt first, filtered; counted and paged in the database."""
    conditions = [Case.received <= on]
    if open_only:
        conditions.append(Case.status.in_(OPEN_STATES))
    for column, value in ((Case.kind, kind), (Case.district, district), (Case.school_unit_code, school),
                          (Case.status, status)):
        if value:
            conditions.append(column == value)
    if schools is not None:
        conditions.append(Case.school_unit_code.in_(schools))
    with store.read() as session:
        total = session.execute(select(func.count()).select_from(Case).where(*conditions)).scalar_one()
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        cases = session.execute(select(Case).where(*conditions).order_by(*QUEUE_SORT)
                                .limit(per_page).offset((page - 1) * per_page)).scalars().all()
        # The same rows as ``stod queue`` (processing time without the applicant's turns, deadlines).
        rows = workflow.queue_rows(session, cases, on, target)
    return QueuePage(rows, total, page, pages, per_page)


def queue_filters(store: Store, schools: Optional[tuple[str, ...]] = None) -> dict:
    """The values the queue's filters offer (districts and schools present in the store)."""
    with store.read() as session:
        query = select(Case.school_unit_code, Case.school_name, Case.district).distinct()
        if schools is not None:
            query = query.where(Case.school_unit_code.in_(schools))
        rows = session.execute(query).all()
    return {"districts": sorted({r.district for r in rows}),
            "schools": sorted({(r.school_unit_code, r.school_name) for r in rows}, key=lambda s: s[1])}


def latest_school(store: Store, unit_code: str) -> dict | None:
    """The school block of the latest stored application of a unit (to prefill a form)."""
    with store.read() as session:
        case = session.execute(select(Case).where(Case.school_unit_code == unit_code).order_by(Case.id.desc())
                               .limit(1)).scalars().first()
        if case is None:
            return None
        return dict(current_application(session, case.id).raw.get("school") or {})


def refresh_statistics(store: Store) -> None:
    """Let SQLite's planner know the cases table (``ANALYZE``; ≈65 ms at 100k cases).

    Without statistics SQLite pages the queue through the status index and sorts every open case;
    with them it walks the receipt index in order. PostgreSQL keeps its own statistics.
    """
    if store.dialect == "sqlite":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE cases")
