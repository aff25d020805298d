"""The transactional outbox: each module's events, written in the transaction of the change.

Every module has the same table in its own schema (``catalog.outbox`` ...): ``outbox_table``
declares it for the module's metadata and ``create_outbox_table`` is its migration.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.domain.ids import new_id


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("aggregate_id", UUID(as_uuid=True), nullable=False),
        sa.Column("aggregate_version", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    ]


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("outbox", metadata, *_columns())


def create_outbox_table(schema: str) -> None:
    """For a module's migration: ``create_outbox_table("catalog")``."""
    op.create_table("outbox", *_columns(), schema=schema)
    op.create_index(
        "outbox_unpublished",
        "outbox",
        ["created_at"],
        schema=schema,
        postgresql_where=sa.text("published_at IS NULL"),
    )


def outbox_rows(events: list[IntegrationEvent]) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "type": event.wire_name,
            "aggregate_id": event.aggregate_id,
            "aggregate_version": event.aggregate_version,
            "occurred_at": event.occurred_at,
            "payload": event.to_payload(),
        }
        for event in events
    ]
