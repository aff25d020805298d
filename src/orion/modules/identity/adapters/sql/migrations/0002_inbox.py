"""The identity module's inbox: it consumes its own account events (to drop cached profiles)."""

from __future__ import annotations

from alembic import op

from orion.shared_kernel.adapters.sql.inbox import create_inbox_table

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = None

SCHEMA = "identity"


def upgrade() -> None:
    create_inbox_table(SCHEMA)


def downgrade() -> None:
    op.drop_table("inbox", schema=SCHEMA)
