"""Queries straight from SQL to views, with keyset pagination that is stable under inserts."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog.application.queries import (
    CategoryView,
    ListProducts,
    ProductPage,
    ProductView,
)
from orion.modules.catalog.contracts.queries import ProductForOrder
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
        descending = query.sort.startswith("-")
        key = _SORT_KEYS[query.sort.lstrip("-")]
        statement = sa.select(*_VIEW_COLUMNS).where(_VISIBLE)
        if query.q:
            pattern = keyset.contains(query.q)
            statement = statement.where(
                sa.or_(
                    products.c.name.ilike(pattern, escape="\\"),
                    products.c.description.ilike(pattern, escape="\\"),
                )
            )
        if query.category is not None:
            statement = statement.where(products.c.category == query.category)
        if query.min_price is not None:
            statement = statement.where(products.c.price_amount >= query.min_price)
        if query.max_price is not None:
            statement = statement.where(products.c.price_amount <= query.max_price)
        if query.in_stock is not None:
            statement = statement.where(
                products.c.stock > 0 if query.in_stock else products.c.stock == 0
            )
        if query.cursor is not None:
            statement = statement.where(
                keyset.after(key, products.c.id, query.cursor, descending=descending)
            )
        statement = statement.order_by(
            *keyset.order_by(key, products.c.id, descending=descending)
        ).limit(query.limit + 1)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return ProductPage(
            items=[ProductView(**row) for row in rows[: query.limit]],
            next_cursor=keyset.next_cursor(list(rows), key, query.limit),
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
