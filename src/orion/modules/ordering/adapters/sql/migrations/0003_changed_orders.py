"""Orders by their last move, for the consistency auditor's windows (``ListOrdersChanged``)."""

from __future__ import annotations

from alembic import op

revision = "ordering_0003"
down_revision = "ordering_0002"
branch_labels = None
depends_on = None

SCHEMA = "ordering"


def upgrade() -> None:
    op.create_index(
        "summaries_by_updated_at", "order_summaries", ["updated_at", "id"], schema=SCHEMA
    )
