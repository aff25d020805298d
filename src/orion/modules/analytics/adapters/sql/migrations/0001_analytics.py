"""The analytics read model (ADR 30), its inbox and its (unused) outbox."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "analytics_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "analytics"


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "orders",
        sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_amount", sa.BigInteger, nullable=False),
        sa.Column("placed_at", timestamp),
        sa.Column("awaiting_payment_at", timestamp),
        sa.Column("paid_at", timestamp),
        sa.Column("shipped_at", timestamp),
        sa.Column("delivered_at", timestamp),
        sa.Column("cancelled_at", timestamp),
        sa.Column("cancel_reason", sa.Text),
        schema=SCHEMA,
    )
    for step in ("placed_at", "paid_at", "cancelled_at"):
        op.create_index(f"orders_by_{step}", "orders", ["currency", step], schema=SCHEMA)
    op.create_table(
        "order_lines",
        sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "payments",
        sa.Column("payment_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("order_id", UUID(as_uuid=True), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("captured_at", timestamp),
        sa.Column("failed_at", timestamp),
        sa.Column("failure_reason", sa.Text),
        sa.Column("refunded_at", timestamp),
        schema=SCHEMA,
    )
    for step in ("captured_at", "failed_at", "refunded_at"):
        op.create_index(f"payments_by_{step}", "payments", ["currency", step], schema=SCHEMA)
    op.create_table(
        "customers",
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("registered_at", timestamp, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("customers_by_registered_at", "customers", ["registered_at"], schema=SCHEMA)
    op.create_table(
        "products",
        sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sku", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("stock", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
