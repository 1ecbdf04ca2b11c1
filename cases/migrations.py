"""Schema versions: which named migrations a store has, which it lacks, and the upgrade.

The schema version of a store is its ``migrations`` table: one row per named migration
applied (``cases.store.MIGRATIONS`` and the ones each area registers), so the version is the
list of names, and its number the count. ``schema_status`` reads it without changing
anything (``stod db status``); ``upgrade`` applies what is pending in one transaction
(``cases.store.migrate``: PostgreSQL and SQLite both change their schema transactionally),
then creates any table of the current models that no migration created (a table another
area added without a migration of its own) and finally compares every table's columns with
the models, so a change to an existing table that lacks its named migration is named instead
of failing later.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from . import store as S
from .models import Migration


@dataclass
class SchemaStatus:
    """What ``stod db status`` shows: the store's schema version against this program's."""

    database: str
    dialect: str
    applied: list[tuple[str, datetime]]
    known: list[str]
    missing_tables: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[str]:
        done = {name for name, _ in self.applied}
        return [name for name in self.known if name not in done]

    @property
    def version(self) -> int:
        return len(self.applied)

    @property
    def current(self) -> bool:
        return not self.pending and not self.missing_tables and not self.missing_columns

    def to_dict(self) -> dict:
        return {"database": self.database, "dialect": self.dialect, "schema_version": self.version,
                "program_schema_version": len(self.known), "current": self.current,
                "applied": [{"name": n, "applied_at": a.isoformat() if hasattr(a, "isoformat") else str(a)}
                            for n, a in self.applied],
                "pending": self.pending, "missing_tables": self.missing_tables,
                "missing_columns": self.missing_columns}


def _model_tables():
    S.known_migrations()  # imports every module that declares tables
    return [t for t in SQLModel.metadata.sorted_tables]


def schema_drift(conn: Connection) -> tuple[list[str], list[str]]:
    """Tables of the current models that are missing, and columns missing from existing tables."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    missing_tables, missing_columns = [], []
    for table in _model_tables():
        if table.name not in tables:
            missing_tables.append(table.name)
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        missing_columns += [f"{table.name}.{c.name}" for c in table.columns if c.name not in present]
    return missing_tables, missing_columns


def schema_status(store: S.Store) -> SchemaStatus:
    """The store's schema version and what this program would change (nothing is written)."""
    known = S.known_migrations()
    with store.engine.connect() as conn:
        applied = [(name, at) for name, at in conn.execute(select(Migration.name, Migration.applied_at)
                                                           .order_by(Migration.applied_at, Migration.name))]
        missing_tables, missing_columns = schema_drift(conn)
    done = {name for name, _ in applied}
    # Tables a pending migration will create are not drift: they are the upgrade's job.
    if set(known) - done:
        missing_tables, missing_columns = [], []
    return SchemaStatus(S._safe(store.url), store.dialect, applied, known, missing_tables, missing_columns)


@dataclass
class UpgradeReport:
    before: SchemaStatus
    applied: list[str]
    created_tables: list[str]
    after: SchemaStatus

    def to_dict(self) -> dict:
        return {"schema_version_before": self.before.version, "applied": self.applied,
                "created_tables": self.created_tables, "status": self.after.to_dict()}


class SchemaDrift(Exception):
    """Columns the models have and the store lacks, with no named migration that adds them."""


def upgrade(store: S.Store) -> UpgradeReport:
    """Bring a store (opened with ``upgrade=False``) up to this program's schema; idempotent."""
    before = schema_status(store)
    applied = S.migrate(store.engine)
    with store.engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            missing_tables, _ = schema_drift(conn)
            if missing_tables:
                SQLModel.metadata.create_all(conn, tables=[t for t in _model_tables() if t.name in missing_tables])
    after = schema_status(store)
    if after.missing_columns:
        raise SchemaDrift(", ".join(after.missing_columns))
    return UpgradeReport(before, applied, missing_tables, after)
