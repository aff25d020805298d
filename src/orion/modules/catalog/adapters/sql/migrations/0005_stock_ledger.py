"""The stock ledger: every movement of a product's stock (opening, adjustment, reserved,
released), written with the change. A product made before it opens with what it has on hand
plus what live reservations hold, less those in one ``reserved`` row, so that the ledger
agrees with the products and the reservations from the start."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "catalog_0005"
down_revision = "catalog_0004"
branch_labels = None
depends_on = None

SCHEMA = "catalog"


def upgrade() -> None:
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("product_id", UUID(as_uuid=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "stock_movements_by_product",
        "stock_movements",
        ["product_id", "kind"],
        schema=SCHEMA,
        postgresql_include=["quantity"],
    )
    op.create_index("stock_movements_by_time", "stock_movements", ["at"], schema=SCHEMA)
    op.create_index(
        "reservation_lines_by_product", "reservation_lines", ["product_id"], schema=SCHEMA
    )
    op.execute(
        """
        CREATE TEMPORARY TABLE held ON COMMIT DROP AS
        SELECT p.id AS product_id, p.stock, coalesce(sum(l.quantity), 0) AS quantity
        FROM catalog.products AS p
        LEFT JOIN catalog.reservation_lines AS l ON l.product_id = p.id
            AND l.order_id IN (SELECT order_id FROM catalog.reservations WHERE status = 'reserved')
        GROUP BY p.id, p.stock
        """
    )
    op.execute(
        """
        INSERT INTO catalog.stock_movements (product_id, at, kind, quantity)
        SELECT product_id, now(), 'opening', stock + quantity FROM held
        UNION ALL
        SELECT product_id, now(), 'reserved', -quantity FROM held WHERE quantity > 0
        """
    )
