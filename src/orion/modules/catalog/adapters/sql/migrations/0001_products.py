"""Products and the catalog's outbox."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from orion.shared_kernel.adapters.sql.outbox import create_outbox_table

revision = "catalog_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "catalog"
VISIBLE = sa.text("deleted_at IS NULL AND active")


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("price_amount", sa.BigInteger, nullable=False),
        sa.Column("price_currency", sa.String(3), nullable=False),
        sa.Column("stock", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("price_amount >= 0", name="price_not_negative"),
        schema=SCHEMA,
    )
    # A deleted product frees its SKU; order history keeps the product by id.
    op.create_index(
        "products_sku_live",
        "products",
        ["sku"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    # Keyset pagination: one index per sort key, each ending in id, over visible rows.
    for key in ("name", "price_amount", "created_at"):
        op.create_index(
            f"products_by_{key}", "products", [key, "id"], schema=SCHEMA, postgresql_where=VISIBLE
        )
    op.create_index(
        "products_by_category", "products", ["category"], schema=SCHEMA, postgresql_where=VISIBLE
    )
    create_outbox_table(SCHEMA)
