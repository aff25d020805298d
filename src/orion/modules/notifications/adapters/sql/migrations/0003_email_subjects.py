"""Each email names the event it answers and what that event is about (an order's id), so
that the consistency auditor can find the email an order's event promised."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "notifications_0003"
down_revision = "notifications_0002"
branch_labels = None
depends_on = None

SCHEMA = "notifications"


def upgrade() -> None:
    op.add_column("emails", sa.Column("event_type", sa.Text), schema=SCHEMA)
    op.add_column("emails", sa.Column("subject_id", UUID(as_uuid=True)), schema=SCHEMA)
    op.create_index(
        "emails_by_subject",
        "emails",
        ["subject_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("subject_id IS NOT NULL"),
    )
