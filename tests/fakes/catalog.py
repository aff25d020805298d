"""In-memory catalog ports with the same contract as the SQL adapters."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable

from orion.modules.catalog.application.events import integration_events
from orion.modules.catalog.domain.errors import DuplicateSku, ProductNotFound, StaleProduct
from orion.modules.catalog.domain.product import Product
from orion.modules.catalog.domain.reservation import StockReservation
from tests.fakes.unit_of_work import FakeUnitOfWork, stored


class FakeProductRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, Product]:
        return self._uow.table("products")

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        product = self.rows.get(product_id)
        if product is None or product.is_deleted:
            raise ProductNotFound(f"no product {product_id}")
        return self._uow.track(copy.deepcopy(product))

    async def add(self, product: Product) -> None:
        if any(p.sku == product.sku and not p.is_deleted for p in self.rows.values()):
            raise DuplicateSku(f"sku {product.sku!r} is taken")
        product.mark_persisted()
        self.rows[product.id] = stored(product)
        self._uow.track(product)

    async def save(self, product: Product) -> None:
        if self.rows[product.id].version != product.loaded_version:
            raise StaleProduct(f"product {product.id} changed meanwhile")
        product.mark_persisted()
        self.rows[product.id] = stored(product)

    async def lock(self, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Product]:
        return {
            product_id: self._uow.track(copy.deepcopy(self.rows[product_id]))
            for product_id in sorted(set(product_ids))
            if product_id in self.rows
        }


class FakeReservationRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, StockReservation]:
        return self._uow.table("reservations")

    async def get(self, order_id: uuid.UUID) -> StockReservation | None:
        reservation = self.rows.get(order_id)
        return None if reservation is None else self._uow.track(copy.deepcopy(reservation))

    async def add(self, reservation: StockReservation) -> None:
        reservation.mark_persisted()
        self.rows[reservation.order_id] = stored(reservation)
        self._uow.track(reservation)

    async def save(self, reservation: StockReservation) -> None:
        reservation.mark_persisted()
        self.rows[reservation.order_id] = stored(reservation)


class FakeCatalogUnitOfWork(FakeUnitOfWork):
    """Changes become visible only on commit, as in a transaction; events land in ``outbox``."""

    def __init__(self) -> None:
        super().__init__(integration_events)
        self.products = FakeProductRepository(self)
        self.reservations = FakeReservationRepository(self)

    def product(self, product_id: uuid.UUID) -> Product:
        """A committed product."""
        product: Product = self.committed["products"][product_id]
        return product
