"""Carts, orders with their lines and history, the order summaries, idempotency records,
the inbox and the outbox of the ordering module."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, UUID

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "ordering_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "ordering"


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("order_numbers", schema=SCHEMA)))
    op.create_table(
        "carts",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), unique=True),
        sa.Column("token_hash", BYTEA, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint(
            "(customer_id IS NULL) <> (token_hash IS NULL)", name="guest_or_customer"
        ),
        schema=SCHEMA,
    )
    # The clean-up finds guest carts by age.
    op.create_index(
        "guest_carts_by_age",
        "carts",
        ["updated_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("customer_id IS NULL"),
    )
    op.create_table(
        "cart_items",
        sa.Column(
            "cart_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.carts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("product_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_in_range"),
        schema=SCHEMA,
    )
    op.create_table(
        "orders",
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
        schema=SCHEMA,
    )
    op.create_table(
        "order_lines",
        sa.Column(
            "order_id", UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.orders.id"), primary_key=True
        ),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("product_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("unit_price_amount", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "order_history",
        sa.Column(
            "order_id", UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.orders.id"), primary_key=True
        ),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
        schema=SCHEMA,
    )
    op.create_table(
        "order_summaries",
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
        schema=SCHEMA,
    )
    # A customer's history by each sort key; the admin's over all customers.
    for key in ("placed_at", "total_amount", "status"):
        op.create_index(
            f"summaries_of_customer_by_{key}",
            "order_summaries",
            ["customer_id", key, "id"],
            schema=SCHEMA,
        )
        op.create_index(f"summaries_by_{key}", "order_summaries", [key, "id"], schema=SCHEMA)
    op.create_index(
        "summaries_by_email",
        "order_summaries",
        [sa.text("lower(customer_email)")],
        schema=SCHEMA,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("response", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("idempotency_keys_by_age", "idempotency_keys", ["created_at"], schema=SCHEMA)
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
