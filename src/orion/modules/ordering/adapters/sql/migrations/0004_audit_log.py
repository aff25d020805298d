"""The audit log of admins' writes to the ordering module's data (ADR 31)."""

from __future__ import annotations

from orion.shared_kernel.adapters.sql.audit import create_audit_table

revision = "ordering_0004"
down_revision = "ordering_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table("ordering")
