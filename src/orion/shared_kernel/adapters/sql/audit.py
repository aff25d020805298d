"""Each module's audit log table, what its unit of work writes there, and the one reader of
every module's log (as ``operations.outbox_status`` reads every outbox).

An aggregate is snapshotted when its repository tracks it (loaded or added); on commit,
when an ``Actor`` is set (the dashboard's writes), each tracked aggregate whose snapshot
changed is recorded with the values that differ: no handler says anything about auditing,
and no admin write escapes it."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.shared_kernel.application.audit import AuditRecord, ListAuditLog
from orion.shared_kernel.application.context import Actor
from orion.shared_kernel.domain.ids import new_id

# they change with every write and say nothing
UNAUDITED = {"version", "loaded_version", "changed", "recorded", "updated_at"}  # bookkeeping


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", UUID(as_uuid=True), nullable=False),
        sa.Column("actor_email", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("before", JSONB, nullable=False),
        sa.Column("after", JSONB, nullable=False),
    ]


def audit_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("audit_log", metadata, *_columns())


def create_audit_table(schema: str) -> None:
    """For a module's migration: ``create_audit_table("catalog")``."""
    op.create_table("audit_log", *_columns(), schema=schema)
    op.create_index("audit_log_by_at", "audit_log", ["at"], schema=schema)


def plain(value: Any) -> Any:
    """A value as JSON holds it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (uuid.UUID, datetime, date, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def snapshot(aggregate: object) -> dict[str, Any]:
    """The aggregate's public state, its attributes and properties (an order's status is
    one), never a password hash."""
    names = {name for name in vars(aggregate)} | {
        name
        for name in dir(type(aggregate))
        if isinstance(getattr(type(aggregate), name), property)
    }
    return {
        name: plain(getattr(aggregate, name))
        for name in sorted(names)
        if not name.startswith("_") and name not in UNAUDITED and "password" not in name
    }


class AuditTrail:
    """What one transaction's tracked aggregates were when tracked."""

    def __init__(self) -> None:
        self._seen: list[tuple[object, dict[str, Any] | None]] = []

    def track(self, aggregate: object, *, new: bool) -> None:
        if not any(seen is aggregate for seen, _ in self._seen):
            self._seen.append((aggregate, None if new else snapshot(aggregate)))

    def clear(self) -> None:
        self._seen.clear()

    def rows(self, actor: Actor) -> list[dict[str, Any]]:
        found = []
        for aggregate, before in self._seen:
            after = snapshot(aggregate)
            old = before or {}
            changed = sorted(key for key in after if old.get(key) != after[key])
            if before is not None and not changed:
                continue
            found.append(
                {
                    "id": new_id(),
                    "actor_id": actor.user_id,
                    "actor_email": actor.email,
                    "action": actor.action,
                    "subject": f"{type(aggregate).__name__} {getattr(aggregate, 'id', '')}",
                    "before": {key: old.get(key) for key in changed} if before else {},
                    "after": {key: after[key] for key in changed},
                }
            )
        return found


async def record(connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Stamped with the transaction's time, on the database's clock."""
    if rows:
        await connection.execute(table.insert().values(at=sa.func.now()), rows)


class SqlAuditLog:
    """Reads every module's audit log: newest first, the filters applied in each."""

    def __init__(self, engine: AsyncEngine, tables: Mapping[str, sa.Table]) -> None:
        self._engine = engine
        self._tables = tables

    async def __call__(self, query: ListAuditLog) -> list[AuditRecord]:
        selects = []
        for module, table in self._tables.items():
            if query.module is not None and query.module != module:
                continue
            statement = sa.select(*table.c, sa.literal(module).label("module"))
            if query.action:
                statement = statement.where(table.c.action == query.action)
            if query.actor_email:
                statement = statement.where(
                    sa.func.lower(table.c.actor_email) == query.actor_email.lower()
                )
            if query.subject:
                statement = statement.where(
                    table.c.subject.contains(query.subject, autoescape=True)
                )
            if query.before is not None:
                statement = statement.where(table.c.at < query.before)
            selects.append(statement)
        if not selects:
            return []
        union = sa.union_all(*selects).subquery()
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                sa.select(union).order_by(union.c.at.desc(), union.c.id).limit(query.limit)
            )
        return [
            AuditRecord(
                id=row.id,
                at=row.at,
                module=row.module,
                actor_id=row.actor_id,
                actor_email=row.actor_email,
                action=row.action,
                subject=row.subject,
                before=row.before,
                after=row.after,
            )
            for row in rows
        ]
