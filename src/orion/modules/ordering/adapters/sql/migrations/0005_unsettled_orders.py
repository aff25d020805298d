"""The orders the saga has not settled yet, indexed apart: checkout counts them (ADR 40)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ordering_0005"
down_revision = "ordering_0004"
branch_labels = None
depends_on = None

SCHEMA = "ordering"


def upgrade() -> None:
    op.create_index(
        "summaries_unsettled",
        "order_summaries",
        ["placed_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('pending', 'awaiting_payment')"),
    )


def downgrade() -> None:
    op.drop_index("summaries_unsettled", "order_summaries", schema=SCHEMA)
