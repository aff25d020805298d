"""The ordering module's tables, all in PostgreSQL schema ``ordering``.

Write side: carts and their items; orders, their lines and status history; idempotency
records. Read side: ``order_summaries``, one row per order, updated in the transaction of
each move, which the history queries filter, sort and page.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, UUID

from orion.shared_kernel.adapters.sql.audit import audit_table
from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "ordering"
metadata = sa.MetaData(schema=SCHEMA)

order_numbers = sa.Sequence("order_numbers", metadata=metadata)

carts = sa.Table(
    "carts",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), unique=True),
    sa.Column("token_hash", BYTEA, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False),
)

cart_items = sa.Table(
    "cart_items",
    metadata,
    sa.Column(
        "cart_id",
        UUID(as_uuid=True),
        sa.ForeignKey("ordering.carts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("number", sa.Text, nullable=False, unique=True),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("customer_email", sa.Text, nullable=False),
    sa.Column("customer_name", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total_amount", sa.BigInteger, nullable=False),
    sa.Column("shipping_address", JSONB, nullable=False),
    sa.Column("payment_token", sa.Text, nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # The exchange rate of an order charged in another currency than the catalog's (0002).
    sa.Column("rate_base_currency", sa.String(3)),
    sa.Column("rate", sa.Numeric),
    sa.Column("rate_source", sa.Text),
    sa.Column("rate_as_of", sa.Date),
    sa.Column("rate_fetched_at", sa.DateTime(timezone=True)),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column(
        "order_id", UUID(as_uuid=True), sa.ForeignKey("ordering.orders.id"), primary_key=True
    ),
    sa.Column("position", sa.SmallInteger, primary_key=True),
    sa.Column("product_id", UUID(as_uuid=True), nullable=False),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("unit_price_amount", sa.BigInteger, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)

order_history = sa.Table(
    "order_history",
    metadata,
    sa.Column(
        "order_id", UUID(as_uuid=True), sa.ForeignKey("ordering.orders.id"), primary_key=True
    ),
    sa.Column("position", sa.SmallInteger, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text),
)

order_summaries = sa.Table(
    "order_summaries",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("customer_email", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total_amount", sa.BigInteger, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("product_names", sa.Text, nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("response", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
audit = audit_table(metadata)  # admins' writes (ADR 31)
