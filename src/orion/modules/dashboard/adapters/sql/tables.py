"""The dashboard's tables, all in PostgreSQL schema ``dashboard``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, UUID

from orion.shared_kernel.adapters.sql.audit import audit_table
from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "dashboard"
metadata = sa.MetaData(schema=SCHEMA)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", BYTEA, primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True), nullable=False),
    sa.Column("session_id", UUID(as_uuid=True), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
# admin writes that change no module's data (a dead-letter replay) are audited here
audit = audit_table(metadata)
