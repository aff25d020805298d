"""The audit log of admins' writes to the identity module's data (ADR 31)."""

from __future__ import annotations

from orion.shared_kernel.adapters.sql.audit import create_audit_table

revision = "identity_0003"
down_revision = "identity_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table("identity")
