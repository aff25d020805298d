"""The payments module's tables, all in PostgreSQL schema ``payments``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "payments"
metadata = sa.MetaData(schema=SCHEMA)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("order_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("provider", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("cancel_requested", sa.Boolean, nullable=False),
    sa.Column("provider_reference", sa.Text),
    sa.Column("refund_reference", sa.Text),
    sa.Column("failure_reason", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("charge_started_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False),
)

payment_attempts = sa.Table(
    "payment_attempts",
    metadata,
    sa.Column(
        "payment_id",
        UUID(as_uuid=True),
        sa.ForeignKey("payments.payments.id"),
        primary_key=True,
    ),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("detail", sa.Text),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
