"""Queries straight from SQL to views, with keyset pagination that is stable under inserts.

Search is PostgreSQL's full-text search over the generated ``search`` vector (migration
``catalog_0003``, a GIN index): ``q`` in web search syntax, its last word also matched as a
prefix. A searched page is ordered by its position: an exact name first, then the rank,
then the sort key and the id, all one way (the first two negated for an ascending sort), so
that the keyset cursor is one row comparison like any other list's.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog.application.queries import (
    PRICE_BAND_STARTS,
    CategoryView,
    FacetCount,
    GetProductFacets,
    ListProducts,
    PriceBandCount,
    ProductFacets,
    ProductFilters,
    ProductPage,
    ProductView,
)
from orion.modules.catalog.contracts.queries import ListStockLevels, ProductForOrder, StockLevel
from orion.modules.catalog.domain.errors import ProductNotFound
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.compiled import CompiledQuery
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import products

_VIEW_COLUMNS = (
    products.c.id,
    products.c.sku,
    products.c.name,
    products.c.description,
    products.c.category,
    products.c.price_amount,
    products.c.price_currency,
    products.c.stock,
    products.c.active,
    products.c.created_at,
    products.c.updated_at,
    products.c.version,
)
_SORT_KEYS: dict[str, sa.Column[Any]] = {
    "relevance": products.c.name,  # ties of rank, by name
    "name": products.c.name,
    "price": products.c.price_amount,
    "created_at": products.c.created_at,
}
_VISIBLE = sa.and_(products.c.deleted_at.is_(None), products.c.active)
_LIVE = products.c.deleted_at.is_(None)
_GET_VISIBLE = CompiledQuery(
    sa.select(*_VIEW_COLUMNS).where(products.c.id == sa.bindparam("id"), _VISIBLE)
)
_GET_LIVE = CompiledQuery(
    sa.select(*_VIEW_COLUMNS).where(products.c.id == sa.bindparam("id"), _LIVE)
)
# The configuration the stemmed half of the search vector was made with (catalog_0003).
_LANGUAGE = "english"
_BARE_WORD = re.compile(r"\w+")


class SqlCatalogReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def get_product(self, product_id: uuid.UUID, *, include_hidden: bool) -> ProductView:
        query = _GET_LIVE if include_hidden else _GET_VISIBLE
        row = await query.fetchrow(self._engine, id=product_id)
        if row is None:
            raise ProductNotFound(f"no product {product_id}")
        return ProductView(**row)

    async def list_products(self, query: ListProducts) -> ProductPage:
        sort = query.sort or ("relevance" if query.q else "name")
        descending = sort.startswith("-")
        key = _SORT_KEYS[sort.lstrip("-")]
        position: list[sa.ColumnElement[Any]] = [key, products.c.id]
        if query.q:
            exact = sa.func.lower(products.c.name) == query.q.strip().lower()
            rank = sa.func.ts_rank(products.c.search, search_query(query.q), type_=sa.REAL)
            if descending:  # an exact name and a high rank first, in either direction
                position = [sa.case((exact, 1), else_=0).label("exact"), rank.label("rank")]
            else:
                position = [sa.case((exact, 0), else_=1).label("exact"), (-rank).label("rank")]
            position += [key, products.c.id]
        common, category, prices = _filters(query)
        statement = sa.select(*_VIEW_COLUMNS, *position[:-2]).where(
            _VISIBLE, *common, *category, *prices
        )
        if query.cursor is not None:
            statement = statement.where(
                keyset.after_position(position, query.cursor, descending=descending)
            )
        statement = statement.order_by(
            *(element.desc() if descending else element for element in position)
        ).limit(query.limit + 1)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return ProductPage(
            items=[_view(row) for row in rows[: query.limit]],
            next_cursor=keyset.position_cursor(
                list(rows), [element.name for element in position], query.limit
            ),
        )

    async def product_facets(self, query: GetProductFacets) -> ProductFacets:
        """Two statements: the total and the price bands (each band without the price
        filters), then the categories (without the category filter)."""
        price = products.c.price_amount
        common, category, prices = _filters(query)
        bands = [
            (low, None if end is None else end - 1)
            for low, end in zip(PRICE_BAND_STARTS, [*PRICE_BAND_STARTS[1:], None], strict=True)
        ]
        totals = sa.select(
            sa.func.count().filter(sa.and_(sa.true(), *category, *prices)).label("total"),
            *(
                sa.func.count()
                .filter(
                    sa.and_(price >= low, *category, *([] if high is None else [price <= high]))
                )
                .label(f"band_{index}")
                for index, (low, high) in enumerate(bands)
            ),
        ).where(_VISIBLE, *common)
        by_category = (
            sa.select(products.c.category, sa.func.count().label("products"))
            .where(_VISIBLE, *common, *prices)
            .group_by(products.c.category)
            .order_by(products.c.category)
        )
        async with self._engine.connect() as connection:
            counts = (await connection.execute(totals)).one()._mapping
            categories = (await connection.execute(by_category)).all()
        return ProductFacets(
            total=counts["total"],
            categories=[FacetCount(name=row.category, count=row.products) for row in categories],
            price_bands=[
                PriceBandCount(min_price=low, max_price=high, count=counts[f"band_{index}"])
                for index, (low, high) in enumerate(bands)
            ],
        )

    async def list_categories(self) -> list[CategoryView]:
        statement = (
            sa.select(products.c.category, sa.func.count().label("product_count"))
            .where(_VISIBLE)
            .group_by(products.c.category)
            .order_by(products.c.category)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [CategoryView(name=row.category, product_count=row.product_count) for row in rows]

    async def products_for_order(self, product_ids: tuple[uuid.UUID, ...]) -> list[ProductForOrder]:
        statement = sa.select(
            products.c.id,
            products.c.sku,
            products.c.name,
            products.c.price_amount,
            products.c.price_currency,
            products.c.stock,
            sa.and_(products.c.active, products.c.deleted_at.is_(None)).label("active"),
        ).where(products.c.id.in_(product_ids))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            ProductForOrder(
                product_id=row.id,
                sku=row.sku,
                name=row.name,
                price_amount=row.price_amount,
                currency=row.price_currency,
                stock=row.stock,
                active=row.active,
            )
            for row in rows
        ]

    async def stock_levels(self, query: ListStockLevels) -> list[StockLevel]:
        statement = (
            sa.select(
                products.c.id, products.c.sku, products.c.name, products.c.stock, products.c.active
            )
            .where(products.c.deleted_at.is_(None))
            .order_by(products.c.id)
            .limit(query.limit)
        )
        if query.after is not None:
            statement = statement.where(products.c.id > query.after)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            StockLevel(
                product_id=row.id, sku=row.sku, name=row.name, stock=row.stock, active=row.active
            )
            for row in rows
        ]


def search_query(q: str) -> sa.ColumnElement[Any]:
    """``q`` as a ``tsquery``: ``websearch_to_tsquery`` (phrases in quotes, ``or``,
    ``-word``), its last word, when a bare one being typed, also matched as a prefix of the
    name's and category's words as written (``runn`` finds ``running``, whose stem ``run``
    it is not a prefix of)."""
    words = q.split()
    last = words[-1] if words else ""
    if q.count('"') % 2 or not _BARE_WORD.fullmatch(last) or last.lower() == "or":
        return sa.func.websearch_to_tsquery(_LANGUAGE, q)
    head = words[:-1]
    alternative = head[-1:] == ["or"] or head[-1:] == ["OR"]
    if alternative:
        head = head[:-1]
    last_word = sa.func.websearch_to_tsquery(_LANGUAGE, last).op("||")(
        sa.func.to_tsquery("simple", f"{last}:*")
    )
    before = sa.func.websearch_to_tsquery(_LANGUAGE, " ".join(head))
    return before.op("||" if alternative else "&&")(last_word)


def _filters(
    query: ProductFilters,
) -> tuple[
    list[sa.ColumnElement[bool]], list[sa.ColumnElement[bool]], list[sa.ColumnElement[bool]]
]:
    """The query's conditions: those every facet shares (``q``, ``in_stock``), the
    category's, the price's."""
    common: list[sa.ColumnElement[bool]] = []
    if query.q:
        common.append(products.c.search.op("@@")(search_query(query.q)))
    if query.in_stock is not None:
        common.append(products.c.stock > 0 if query.in_stock else products.c.stock == 0)
    category = [] if query.category is None else [products.c.category == query.category]
    prices: list[sa.ColumnElement[bool]] = []
    if query.min_price is not None:
        prices.append(products.c.price_amount >= query.min_price)
    if query.max_price is not None:
        prices.append(products.c.price_amount <= query.max_price)
    return common, category, prices


def _view(row: Any) -> ProductView:
    return ProductView(**{column.name: row[column.name] for column in _VIEW_COLUMNS})
