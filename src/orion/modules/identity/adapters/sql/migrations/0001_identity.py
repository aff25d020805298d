"""Users, sessions, refresh tokens, one-time tokens and the identity module's outbox."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "identity_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("email_verified_at", sa.DateTime(timezone=True)),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("shipping_address", JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("email", name="users_email_key"),
        sa.CheckConstraint("role IN ('customer', 'admin')", name="users_role"),
        schema=SCHEMA,
    )
    op.create_index("users_by_created_at", "users", ["created_at", "id"], schema=SCHEMA)
    op.create_table(
        "sessions",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_reason", sa.Text),
        schema=SCHEMA,
    )
    op.create_index(
        "sessions_live_by_user",
        "sessions",
        ["user_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("session_id", UUID(as_uuid=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spent_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_index("refresh_tokens_by_session", "refresh_tokens", ["session_id"], schema=SCHEMA)
    op.create_table(
        "one_time_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    create_outbox_table(SCHEMA)
