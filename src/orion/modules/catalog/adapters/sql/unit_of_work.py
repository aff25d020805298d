"""The catalog's unit of work: its product and reservation repositories, inbox and outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.catalog.application.events import integration_events
from orion.modules.catalog.domain.errors import DuplicateSku, ProductNotFound, StaleProduct
from orion.modules.catalog.domain.events import (
    ProductCreated,
    StockAdjusted,
    StockReleased,
    StockReserved,
)
from orion.modules.catalog.domain.product import Product
from orion.modules.catalog.domain.reservation import (
    ReservationLine,
    ReservationStatus,
    StockReservation,
)
from orion.shared_kernel.adapters.sql.unit_of_work import (
    AfterCommit,
    LoadedRows,
    SqlUnitOfWork,
    Track,
)
from orion.shared_kernel.application.unit_of_work import A
from orion.shared_kernel.domain.money import Money

from .tables import (
    audit,
    inbox,
    outbox,
    products,
    reservation_lines,
    reservations,
    stock_movements,
)


class SqlProductRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track
        self._loaded = LoadedRows(_row)

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        statement = sa.select(products).where(
            products.c.id == product_id, products.c.deleted_at.is_(None)
        )
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).mappings().first()
        if row is None:
            raise ProductNotFound(f"no product {product_id}")
        return self._track(self._loaded.seen(product_id, _product(row)))

    async def add(self, product: Product) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(products.insert().values(**_row(product)))
        except IntegrityError as error:
            if "products_sku_live" in str(error.orig):
                raise DuplicateSku(f"sku {product.sku!r} is taken") from None
            raise
        product.mark_persisted()
        self._loaded.seen(product.id, product)
        self._track(product)

    async def save(self, product: Product) -> None:
        changes = self._loaded.changes(product.id, product)
        if not changes:
            return  # nothing to write
        result = await self._connection.execute(
            products.update()
            .where(products.c.id == product.id, products.c.version == product.loaded_version)
            .values(**changes)
        )
        if result.rowcount != 1:
            raise StaleProduct(f"product {product.id} changed meanwhile")
        product.mark_persisted()
        self._loaded.seen(product.id, product)

    async def lock(self, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Product]:
        # FOR UPDATE above ORDER BY: PostgreSQL locks the rows as they come out of the sort.
        statement = (
            sa.select(products)
            .where(products.c.id.in_(set(product_ids)))
            .order_by(products.c.id)
            .with_for_update()
        )
        rows = (await self._connection.execute(statement)).mappings()
        return {row["id"]: self._track(self._loaded.seen(row["id"], _product(row))) for row in rows}


class SqlReservationRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track

    async def get(self, order_id: uuid.UUID) -> StockReservation | None:
        # A transaction-scoped advisory lock on the order: it holds whether or not the order's
        # row exists yet. The key is the order id's random low 64 bits.
        key = int.from_bytes(order_id.bytes[8:], "big", signed=True)
        await self._connection.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        statement = (
            sa.select(reservations, reservation_lines.c.product_id, reservation_lines.c.quantity)
            .select_from(reservations.outerjoin(reservation_lines))
            .where(reservations.c.order_id == order_id)
            .order_by(reservation_lines.c.product_id)
        )
        rows = (await self._connection.execute(statement)).mappings().all()
        if not rows:
            return None
        first = rows[0]
        reservation = StockReservation(
            order_id=order_id,
            status=ReservationStatus(first["status"]),
            lines=tuple(
                ReservationLine(product_id=row["product_id"], quantity=row["quantity"])
                for row in rows
                if row["product_id"] is not None
            ),
            created_at=first["created_at"],
            released_at=first["released_at"],
            version=first["version"],
        )
        return self._track(reservation)

    async def add(self, reservation: StockReservation) -> None:
        await self._connection.execute(
            reservations.insert().values(
                order_id=reservation.order_id,
                created_at=reservation.created_at,
                **_reservation_state(reservation),
            )
        )
        if reservation.lines:
            await self._connection.execute(
                reservation_lines.insert(),
                [
                    {
                        "order_id": reservation.order_id,
                        "product_id": line.product_id,
                        "quantity": line.quantity,
                    }
                    for line in reservation.lines
                ],
            )
        reservation.mark_persisted()
        self._track(reservation)

    async def save(self, reservation: StockReservation) -> None:
        await self._connection.execute(
            reservations.update()
            .where(reservations.c.order_id == reservation.order_id)
            .values(**_reservation_state(reservation))
        )
        reservation.mark_persisted()


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    products: SqlProductRepository
    reservations: SqlReservationRepository

    def __init__(self, engine: AsyncEngine, after_commit: AfterCommit | None = None) -> None:
        super().__init__(
            engine, outbox, inbox, events=integration_events, after_commit=after_commit, audit=audit
        )

    def _open(self, connection: AsyncConnection) -> None:
        self._products: list[Product] = []
        self.products = SqlProductRepository(connection, self._track_product)
        self.reservations = SqlReservationRepository(connection, self.track)

    def _track_product(self, aggregate: A) -> A:
        """Tracks a product, and keeps it for the stock ledger's rows at commit."""
        if isinstance(aggregate, Product) and not any(p is aggregate for p in self._products):
            self._products.append(aggregate)
        return self.track(aggregate)

    async def commit(self) -> None:
        """Writes the stock ledger's rows for what the products recorded, then commits."""
        movements = [row for product in self._products for row in _movements(product)]
        self._products = []
        if movements:
            await self.connection.execute(stock_movements.insert(), movements)
        await super().commit()


def _movements(product: Product) -> list[dict[str, Any]]:
    """The ledger's rows for the stock movements a product recorded."""
    rows = []
    for event in product.recorded:
        match event:
            case ProductCreated(at=at, stock=stock):
                rows.append(("opening", at, stock))
            case StockAdjusted(at=at, delta=delta):
                rows.append(("adjustment", at, delta))
            case StockReserved(at=at, quantity=quantity):
                rows.append(("reserved", at, -quantity))
            case StockReleased(at=at, quantity=quantity):
                rows.append(("released", at, quantity))
    return [
        {"product_id": product.id, "kind": kind, "at": at, "quantity": quantity}
        for kind, at, quantity in rows
    ]


def _reservation_state(reservation: StockReservation) -> dict[str, Any]:
    return {
        "status": reservation.status.value,
        "released_at": reservation.released_at,
        "version": reservation.version,
    }


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
