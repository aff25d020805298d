"""The audit log of admins' writes to the catalog module's data (ADR 31)."""

from __future__ import annotations

from orion.shared_kernel.adapters.sql.audit import create_audit_table

revision = "catalog_0006"
down_revision = "catalog_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_audit_table("catalog")
