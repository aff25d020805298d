"""The inbox: which messages a consumer has taken effect for, in the consumer's own schema.

A consumer inserts ``(consumer, message_id)`` in the transaction of its effect; a message
delivered again finds its row and is acked with no effect.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID


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


def create_inbox_table(schema: str) -> None:
    """For a module's migration: ``create_inbox_table("payments")``."""
    op.create_table("inbox", *_columns(), schema=schema)
