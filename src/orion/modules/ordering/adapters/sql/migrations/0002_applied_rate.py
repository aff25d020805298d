"""The exchange rate an order charged in another currency was priced with (ADR 12)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ordering_0002"
down_revision = "ordering_0001"
branch_labels = None
depends_on = None

SCHEMA = "ordering"


def upgrade() -> None:
    op.add_column("orders", sa.Column("rate_base_currency", sa.String(3)), schema=SCHEMA)
    op.add_column("orders", sa.Column("rate", sa.Numeric), schema=SCHEMA)
    op.add_column("orders", sa.Column("rate_source", sa.Text), schema=SCHEMA)
    op.add_column("orders", sa.Column("rate_as_of", sa.Date), schema=SCHEMA)
    op.add_column("orders", sa.Column("rate_fetched_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.create_check_constraint(
        "orders_rate_complete",
        "orders",
        "(rate IS NULL) = (rate_base_currency IS NULL) AND (rate IS NULL) = (rate_source IS NULL)"
        " AND (rate IS NULL) = (rate_as_of IS NULL) AND (rate IS NULL) = (rate_fetched_at IS NULL)",
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_constraint("orders_rate_complete", "orders", schema=SCHEMA)
    for column in ("rate_fetched_at", "rate_as_of", "rate_source", "rate", "rate_base_currency"):
        op.drop_column("orders", column, schema=SCHEMA)
