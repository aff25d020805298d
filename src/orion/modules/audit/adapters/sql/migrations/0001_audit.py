"""The auditor's findings, its periodic run, its repairs; the inbox and outbox every module
has (the auditor publishes and consumes nothing yet)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table
from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "audit_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("invariant", sa.Text, primary_key=True),
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "runs",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("checkpoint", sa.DateTime(timezone=True)),
        sa.Column("last_run_at", sa.DateTime(timezone=True)),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "repairs",
        sa.Column("invariant", sa.Text, primary_key=True),
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("problem", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    create_inbox_table(SCHEMA)
    create_outbox_table(SCHEMA)
