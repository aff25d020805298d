"""Full-text search of products: a generated, weighted ``tsvector`` and its GIN index.

Name (A), category (B) and description (C), stemmed by the ``english`` configuration
(``mugs`` finds ``mug``); name and category also as written, by ``simple``, so that a word
being typed finds them by prefix (``runn`` finds ``running``, whose stem ``run`` it is not a
prefix of). Built in, so the embedded PostgreSQL serves it as a server does: no extension."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "catalog_0003"
down_revision = "catalog_0002"
branch_labels = None
depends_on = None

SCHEMA = "catalog"
VISIBLE = sa.text("deleted_at IS NULL AND active")
SEARCH = " || ".join(
    f"setweight(to_tsvector('{config}', {column}), '{weight}')"
    for config, column, weight in (
        ("english", "name", "A"),
        ("simple", "name", "A"),
        ("english", "category", "B"),
        ("simple", "category", "B"),
        ("english", "description", "C"),
    )
)


def upgrade() -> None:
    op.add_column(
        "products",
        sa.Column("search", TSVECTOR, sa.Computed(SEARCH, persisted=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "products_search",
        "products",
        ["search"],
        schema=SCHEMA,
        postgresql_using="gin",
        postgresql_where=VISIBLE,
    )
