"""What is left of a case removed whole under the retention plan, and how the audit accepts it.

A case removed 10 years after its period (``cases.retention``) leaves one ``RemovedCase`` row
and one entry in the city-wide ledger whose hash chains from the case's last event over that
row. ``removed_case_problems`` is what ``cases.ledger.verify_ledger`` asks about a case that
is in the ledger but no longer in the store.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel

from engine.sensitive import shown_value

from . import store as S
from .errors import InputRefused


class RemovedCase(SQLModel, table=True):
    """What is left of a case removed under the plan: that it existed, its history's head, when it went."""

    __tablename__ = "removed_cases"

    application_id: str = Field(primary_key=True)
    case_id: int
    kind: str
    rule: str
    removed_on: date
    due_on: date
    event_count: int
    event_head: str
    hash: str  # entered in the city-wide ledger as the case's last entry (event_count + 1)


def removal_hash(row: RemovedCase) -> str:
    """The hash of a removal: chained from the case's last event, over what the removal record says."""
    return S.chain_hash(row.event_head, S.canonical_json({
        "case": row.application_id, "case_id": row.case_id, "kind": row.kind, "rule": row.rule,
        "removed_on": str(row.removed_on), "due_on": str(row.due_on), "events": row.event_count}))


def removed_refusal(session, application_id: str) -> InputRefused | None:
    """The refusal of an application id whose case was removed (its history stays in the ledger under it)."""
    return removed_refusals(session, [application_id]).get(application_id)


def removed_refusals(session_or_conn, application_ids) -> dict[str, InputRefused]:
    """``removed_refusal`` of many application ids in one query: the refused ones only."""
    wanted = sorted(set(application_ids))
    if not wanted:
        return {}
    table = RemovedCase.__table__
    rows = session_or_conn.execute(select(table.c.application_id, table.c.removed_on, table.c.rule)
                                   .where(table.c.application_id.in_(wanted)))
    return {application_id: InputRefused("application_id", f"{shown_value(application_id)} var ett ärende som "
                                                           f"gallrades {removed_on} ({rule}); ge ansökan ett nytt id")
            for application_id, removed_on, rule in rows}


def refuse_removed(session: Session, application_id: str) -> None:
    """Raise ``removed_refusal`` when there is one."""
    refusal = removed_refusal(session, application_id)
    if refusal is not None:
        raise refusal


def removed_case_problems(session: Session, entries: dict[str, list]) -> tuple[set[str], list[tuple[str, str]]]:
    """Application ids whose ledger entries a removal record accounts for, and (id, problem) for the rest.

    ``entries``: the ledger's entries of cases no longer in the store, per application id. A
    removal accounts for them when its record hashes to the ledger's last entry of the case,
    that entry follows the case's own last event, and the record names that event's hash.
    """
    explained, problems = set(), []
    removed = {r.application_id: r for r in session.execute(select(RemovedCase)).scalars()}
    for application_id, rows in entries.items():
        record = removed.get(application_id)
        if record is None:
            continue
        by_seq = {e.event_seq: e for e in rows}
        last, head = by_seq.get(record.event_count + 1), by_seq.get(record.event_count)
        if removal_hash(record) != record.hash:
            problems.append((application_id, "gallringsposten för ärendet är ändrad (stämmer inte med sin hash)"))
        elif last is None or last.event_hash != record.hash:
            problems.append((application_id, "gallringen av ärendet finns inte i huvudkedjan (posten är tillagd "
                                             "utanför gallringen)"))
        elif (head.event_hash if head else "") != record.event_head or max(by_seq) != record.event_count + 1:
            problems.append((application_id, "gallringsposten stämmer inte med ärendets historik i huvudkedjan"))
        explained.add(application_id)
    return explained, problems


def _create_removed_cases(conn: Connection) -> None:
    RemovedCase.__table__.create(conn, checkfirst=True)


S.register_migration("retention_0001_removed_cases", _create_removed_cases)
