"""The email log becomes a notification log: status (sent, failed), attempts, the last error,
when each email was first tried and last touched. Emails logged before were all sent."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notifications_0002"
down_revision = "notifications_0001"
branch_labels = None
depends_on = None

SCHEMA = "notifications"


def upgrade() -> None:
    timestamp = sa.DateTime(timezone=True)
    op.add_column("emails", sa.Column("status", sa.Text), schema=SCHEMA)
    op.add_column("emails", sa.Column("attempts", sa.Integer), schema=SCHEMA)
    op.add_column("emails", sa.Column("last_error", sa.Text), schema=SCHEMA)
    op.add_column("emails", sa.Column("created_at", timestamp), schema=SCHEMA)
    op.add_column("emails", sa.Column("updated_at", timestamp), schema=SCHEMA)
    emails = sa.table(
        "emails",
        sa.column("status"),
        sa.column("attempts"),
        sa.column("created_at"),
        sa.column("updated_at"),
        sa.column("sent_at"),
        schema=SCHEMA,
    )
    op.execute(
        emails.update().values(
            status="sent", attempts=1, created_at=emails.c.sent_at, updated_at=emails.c.sent_at
        )
    )
    for column in ("status", "attempts", "created_at", "updated_at"):
        op.alter_column("emails", column, nullable=False, schema=SCHEMA)
    op.alter_column("emails", "sent_at", nullable=True, server_default=None, schema=SCHEMA)
    op.create_check_constraint(
        "status_known", "emails", "status IN ('sent', 'failed')", schema=SCHEMA
    )
    op.create_check_constraint(
        "sent_when_sent", "emails", "(status = 'sent') = (sent_at IS NOT NULL)", schema=SCHEMA
    )
    op.create_check_constraint("attempted", "emails", "attempts >= 1", schema=SCHEMA)
    # the admin list: newest first, and one recipient's emails
    op.create_index("emails_by_created", "emails", ["created_at", "id"], schema=SCHEMA)
    op.create_index(
        "emails_by_recipient",
        "emails",
        [sa.text("lower(recipient)"), "created_at", "id"],
        schema=SCHEMA,
    )
