"""The catalog's tables, all in PostgreSQL schema ``catalog``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

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
)

outbox = outbox_table(metadata)
