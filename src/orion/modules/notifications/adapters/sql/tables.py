"""The notifications module's tables, all in PostgreSQL schema ``notifications``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "notifications"
metadata = sa.MetaData(schema=SCHEMA)

# The notification log: one row per (event, recipient), by the email's deterministic id.
emails = sa.Table(
    "emails",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # sent | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    # the event answered and what it is about (an order's id), for the auditor (0003)
    sa.Column("event_type", sa.Text),
    sa.Column("subject_id", UUID(as_uuid=True)),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
