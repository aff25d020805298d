"""The catalog's unit of work and its product repository."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.catalog.domain.errors import DuplicateSku, ProductNotFound, StaleProduct
from orion.modules.catalog.domain.product import Product
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork
from orion.shared_kernel.domain.money import Money

from .tables import outbox, products


class SqlProductRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        statement = sa.select(products).where(
            products.c.id == product_id, products.c.deleted_at.is_(None)
        )
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).mappings().first()
        if row is None:
            raise ProductNotFound(f"no product {product_id}")
        return _product(row)

    async def add(self, product: Product) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(products.insert().values(**_row(product)))
        except IntegrityError as error:
            if "products_sku_live" in str(error.orig):
                raise DuplicateSku(f"sku {product.sku!r} is taken") from None
            raise
        product.mark_persisted()

    async def save(self, product: Product) -> None:
        result = await self._connection.execute(
            products.update()
            .where(products.c.id == product.id, products.c.version == product.loaded_version)
            .values(**_row(product))
        )
        if result.rowcount != 1:
            raise StaleProduct(f"product {product.id} changed meanwhile")
        product.mark_persisted()


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    products: SqlProductRepository

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox)

    def _open(self, connection: AsyncConnection) -> None:
        self.products = SqlProductRepository(connection)


def _row(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price_amount": product.price.amount,
        "price_currency": product.price.currency,
        "stock": product.stock,
        "active": product.active,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
        "deleted_at": product.deleted_at,
        "version": product.version,
    }


def _product(row: Any) -> Product:
    return Product(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        description=row["description"],
        category=row["category"],
        price=Money(amount=row["price_amount"], currency=row["price_currency"]),
        stock=row["stock"],
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deleted_at=row["deleted_at"],
        version=row["version"],
    )
