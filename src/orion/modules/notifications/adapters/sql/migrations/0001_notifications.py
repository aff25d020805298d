"""The email log, the inbox and the outbox of the notifications module."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "notifications_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "notifications"


def upgrade() -> None:
    op.create_table(
        "emails",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
