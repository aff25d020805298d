"""The analytics module's tables, all in PostgreSQL schema ``analytics``: one row per order,
order line, payment, customer and product, each holding the facts the events told (when
each step was taken), from which the figures are summed per day at read time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "analytics"
metadata = sa.MetaData(schema=SCHEMA)
Timestamp = sa.DateTime(timezone=True)

# An order row may come before its placement (events of one order can arrive out of order):
# placed_at is null until then, and such an order counts nowhere a placement is needed.
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total_amount", sa.BigInteger, nullable=False),
    sa.Column("placed_at", Timestamp),
    sa.Column("awaiting_payment_at", Timestamp),
    sa.Column("paid_at", Timestamp),
    sa.Column("shipped_at", Timestamp),
    sa.Column("delivered_at", Timestamp),
    sa.Column("cancelled_at", Timestamp),
    sa.Column("cancel_reason", sa.Text),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_amount", sa.BigInteger, nullable=False),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("payment_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("order_id", UUID(as_uuid=True), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("captured_at", Timestamp),
    sa.Column("failed_at", Timestamp),
    sa.Column("failure_reason", sa.Text),
    sa.Column("refunded_at", Timestamp),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("registered_at", Timestamp, nullable=False),
)

# A product row may come from a stock change before its creation: unnamed until then.
products = sa.Table(
    "products",
    metadata,
    sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),  # of the name, sku and state kept
    sa.Column("sku", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("stock", sa.Integer, nullable=False),  # the sum of every change
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
