"""Stock reserved for orders, and the catalog's inbox (it consumes ordering's events)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None

SCHEMA = "catalog"


def upgrade() -> None:
    op.create_table(
        "reservations",
        sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint(
            "status IN ('reserved', 'failed', 'released', 'cancelled')", name="status_known"
        ),
        sa.CheckConstraint(
            "(status = 'released') = (released_at IS NOT NULL)", name="released_when_released"
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "reservation_lines",
        sa.Column(
            "order_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.reservations.order_id"),
            primary_key=True,
        ),
        sa.Column(
            "product_id",
            UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.products.id"),
            primary_key=True,
        ),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        schema=SCHEMA,
    )
    create_inbox_table(SCHEMA)
