"""Live reservations by when they were made, for the consistency auditor's windows
(``ListLiveReservations``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0004"
down_revision = "catalog_0003"
branch_labels = None
depends_on = None

SCHEMA = "catalog"


def upgrade() -> None:
    op.create_index(
        "reservations_live",
        "reservations",
        ["created_at", "order_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'reserved'"),
    )
