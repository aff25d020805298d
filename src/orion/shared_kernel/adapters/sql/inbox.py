"""The inbox: which messages a consumer has taken effect for, in the consumer's own schema.

A consumer inserts ``(consumer, message_id)`` in the transaction of its effect; a message
delivered again finds its row and is acked with no effect.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from alembic import op
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.periodic import PeriodicJob

PRUNE_BATCH = 5_000

log = structlog.get_logger("orion.inbox")


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("message_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    ]


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("inbox", metadata, *_columns())


def prune_job(
    engine: AsyncEngine, inbox: sa.Table, interval_s: float, retention: timedelta
) -> PeriodicJob:
    """``<module>.inbox_prune``: forgets the module's handled messages older than
    ``retention`` (``ORION_INBOX_RETENTION_HOURS``), where the module's consumers run."""
    return PeriodicJob(
        name=f"{inbox.schema}.inbox_prune",
        interval_s=interval_s,
        run=lambda: prune(engine, inbox, retention),
    )


async def prune(engine: AsyncEngine, inbox: sa.Table, retention: timedelta) -> int:
    deleted = await _prune(engine, inbox, retention)
    if deleted:
        log.info("inbox_pruned", module=inbox.schema, deleted=deleted)
    return deleted


async def _prune(engine: AsyncEngine, inbox: sa.Table, retention: timedelta) -> int:
    """Deletes the records older than ``retention``, a batch per transaction; returns how
    many. Safe once no copy of those messages can come again: the outbox that published
    them keeps a row for less than ``retention`` (settings check it), and only a kept row
    can be published twice."""
    deleted = 0
    while True:
        async with engine.begin() as connection:
            doomed = (
                sa.select(inbox.c.consumer, inbox.c.message_id)
                .where(inbox.c.received_at < sa.func.now() - retention)
                .limit(PRUNE_BATCH)
            )
            result = await connection.execute(
                inbox.delete().where(
                    sa.tuple_(inbox.c.consumer, inbox.c.message_id).in_(doomed.subquery().select())
                )
            )
        deleted += result.rowcount
        if result.rowcount < PRUNE_BATCH:
            return deleted


def create_inbox_table(schema: str) -> None:
    """For a module's migration: ``create_inbox_table("payments")``."""
    op.create_table("inbox", *_columns(), schema=schema)
