"""The catalog's tables, all in PostgreSQL schema ``catalog``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR, UUID

from orion.shared_kernel.adapters.sql.audit import audit_table
from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "catalog"
metadata = sa.MetaData(schema=SCHEMA)

products = sa.Table(
    "products",
    metadata,
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
    # generated from name, category and description (migration catalog_0003): never written
    sa.Column("search", TSVECTOR, server_default=sa.FetchedValue(), nullable=False),
)

# One row per order the catalog has heard of (see domain/reservation.py), and the lines it
# holds while reserved (kept once released, for the record).
reservations = sa.Table(
    "reservations",
    metadata,
    sa.Column("order_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("released_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False),
)

reservation_lines = sa.Table(
    "reservation_lines",
    metadata,
    sa.Column(
        "order_id",
        UUID(as_uuid=True),
        sa.ForeignKey(reservations.c.order_id),
        primary_key=True,
    ),
    sa.Column("product_id", UUID(as_uuid=True), sa.ForeignKey(products.c.id), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
)

# The stock ledger: every movement of a product's stock, written in the transaction that
# moves it (``SqlCatalogUnitOfWork.commit``). ``quantity`` is signed: what it adds on hand.
stock_movements = sa.Table(
    "stock_movements",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("product_id", UUID(as_uuid=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # opening, adjustment, reserved, released
    sa.Column("quantity", sa.Integer, nullable=False),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
audit = audit_table(metadata)  # admins' writes (ADR 31)
