"""The school register: each municipal school's name, district, pupils and socioeconomic index per läsår.

The administration exports the register once a year (``stod schools import FILE``, format in
``docs/equity.md``); the equity follow-up (``reports.equity``) reads it to put the cases beside
the schools' sizes and indices. One row per school unit and läsår (``2026/27``: August 2026 to
July 2027), so the register is dated data: a school's index of one year never overwrites another
year's. The index is context only (VS-I1): no rule reads this table.

The table comes with a named migration, registered when this module is imported (it is one of
``cases.store.MIGRATION_MODULES``), in the style of ``cases.csi``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import UniqueConstraint, select
from sqlalchemy.engine import Connection
from sqlmodel import Field, Session, SQLModel

from . import store as S
from .models import Row


class SchoolYear(Row, table=True):
    """One school unit in one läsår: its name and district then, its pupils and its index."""

    __tablename__ = "school_register"
    __table_args__ = (UniqueConstraint("unit_code", "school_year", name="uq_school_register_unit_year"),)

    unit_code: str = Field(index=True)  # skolenhetskod, 8 digits
    school_year: str = Field(index=True)  # läsår, "2026/27"
    name: str
    district: str
    pupils: int
    socioeconomic_index: float
    source: str = ""  # the file it came from, or "demo" for the demo's made-up register
    imported_at: datetime


def _create_table(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[SchoolYear.__table__])


S.register_migration("schools_0001_register", _create_table)


def school_year_of(day: date) -> str:
    """The läsår a day falls in: August to July (``2026-09-01`` → ``2026/27``, ``2027-03-01`` → ``2026/27``)."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def school_year_start(school_year: str) -> int:
    """The calendar year a läsår starts in (``2026/27`` → 2026)."""
    return int(school_year[:4])


@dataclass(frozen=True)
class SchoolRow:
    """One register row as read from a file or the store (no database identity)."""

    unit_code: str
    school_year: str
    name: str
    district: str
    pupils: int
    socioeconomic_index: float

    def key(self) -> tuple[str, str]:
        return self.unit_code, self.school_year

    @classmethod
    def of(cls, row: SchoolYear) -> "SchoolRow":
        return cls(row.unit_code, row.school_year, row.name, row.district, row.pupils, row.socioeconomic_index)


@dataclass
class ImportResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return self.added + self.changed + self.unchanged


def store_register(store: S.Store, rows: Iterable[SchoolRow], source: str) -> ImportResult:
    """Store register rows in one transaction: new ones added, changed ones updated, equal ones left.

    Importing the same file again changes nothing; a corrected export replaces that school
    year's values (the earlier years stay).
    """
    result = ImportResult()
    now = S.utcnow()
    with store.write() as session:
        existing = {(r.unit_code, r.school_year): r for r in session.execute(select(SchoolYear)).scalars()}
        for row in rows:
            old = existing.get(row.key())
            if old is None:
                session.add(SchoolYear(**row.__dict__, source=source, imported_at=now))
                result.added += 1
            elif SchoolRow.of(old) == row:
                result.unchanged += 1
            else:
                for name, value in row.__dict__.items():
                    setattr(old, name, value)
                old.source, old.imported_at = source, now
                result.changed += 1
    return result


def register_rows(session: Session) -> list[SchoolRow]:
    """Every register row, by läsår and unit code."""
    return [SchoolRow.of(r) for r in session.execute(
        select(SchoolYear).order_by(SchoolYear.school_year, SchoolYear.unit_code)).scalars()]


def register_sources(session: Session) -> set[str]:
    """Where the register's rows came from (``demo`` marks the demo's made-up register)."""
    return set(session.execute(select(SchoolYear.source).distinct()).scalars())
