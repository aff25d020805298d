"""Payments, their attempts, the inbox and the outbox of the payments module."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "payments_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "payments"


def upgrade() -> None:
    op.create_table(
        "payments",
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
        sa.CheckConstraint(
            "status IN ('pending', 'captured', 'failed', 'refunded', 'voided')",
            name="known_status",
        ),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        schema=SCHEMA,
    )
    # Reconciliation walks the payments that still need the provider, oldest first.
    op.create_index(
        "payments_unsettled",
        "payments",
        ["updated_at"],
        schema=SCHEMA,
        postgresql_where=sa.text(
            "status = 'pending' OR (status = 'captured' AND cancel_requested)"
        ),
    )
    op.create_table(
        "payment_attempts",
        sa.Column(
            "payment_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.payments.id"),
            primary_key=True,
        ),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("detail", sa.Text),
        schema=SCHEMA,
    )
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
