"""Payments by their last change, for the consistency auditor's windows
(``ListPaymentsChanged``)."""

from __future__ import annotations

from alembic import op

revision = "payments_0002"
down_revision = "payments_0001"
branch_labels = None
depends_on = None

SCHEMA = "payments"


def upgrade() -> None:
    op.create_index("payments_by_updated_at", "payments", ["updated_at", "order_id"], schema=SCHEMA)
