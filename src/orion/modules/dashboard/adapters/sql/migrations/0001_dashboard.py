"""The dashboard's sign-in sessions, its audit log, its inbox and its (unused) outbox."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, UUID

from orion.shared_kernel.adapters.sql.audit import create_audit_table
from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "dashboard_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "dashboard"


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", BYTEA, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("session_id", UUID(as_uuid=True), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    create_audit_table(SCHEMA)
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
