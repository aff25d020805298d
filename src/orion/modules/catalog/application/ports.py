"""The ports the catalog's use cases need; adapters implement them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from orion.modules.catalog.contracts.queries import (
    ListStockLevels,
    ProductForOrder,
    ReservationState,
    StockBalance,
    StockLevel,
)
from orion.modules.catalog.domain.product import Product
from orion.modules.catalog.domain.reservation import StockReservation
from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.unit_of_work import UnitOfWork

from .queries import (
    CategoryView,
    GetProductFacets,
    ListProducts,
    ProductFacets,
    ProductPage,
    ProductView,
)


class ProductRepository(Protocol):
    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        """Raises ``ProductNotFound``; ``for_update`` locks the row until commit."""

    async def add(self, product: Product) -> None:
        """Raises ``DuplicateSku``."""

    async def save(self, product: Product) -> None:
        """Writes a changed product; raises ``StaleProduct`` if its version moved meanwhile."""

    async def lock(self, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Product]:
        """The products by id, deleted ones included, unknown ids left out; each row locked
        until commit, always in id order so that two transactions never wait on each other."""


class ReservationRepository(Protocol):
    async def get(self, order_id: uuid.UUID) -> StockReservation | None:
        """The order's reservation, or ``None`` if the catalog has not heard of the order.
        Either way the order is locked until commit: messages about it apply one at a time."""

    async def add(self, reservation: StockReservation) -> None: ...

    async def save(self, reservation: StockReservation) -> None:
        """Writes the new state of a reservation ``get`` returned in this transaction."""


class CatalogUnitOfWork(UnitOfWork, Protocol):
    products: ProductRepository
    reservations: ReservationRepository


class CatalogReadModel(Protocol):
    async def get_product(self, product_id: uuid.UUID, *, include_hidden: bool) -> ProductView:
        """Raises ``ProductNotFound``."""

    async def list_products(self, query: ListProducts) -> ProductPage: ...

    async def product_facets(self, query: GetProductFacets) -> ProductFacets: ...

    async def list_categories(self) -> list[CategoryView]: ...

    async def products_for_order(
        self, product_ids: tuple[uuid.UUID, ...]
    ) -> list[ProductForOrder]: ...
    async def stock_levels(self, query: ListStockLevels) -> list[StockLevel]: ...


class CatalogStates(Protocol):
    """What the consistency auditor reads of the catalog (``contracts/queries.py``)."""

    async def live(self, window: ChangedBetween) -> list[ReservationState]:
        """One page of the reservations holding stock that were made in the window."""

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[ReservationState]: ...

    async def moved(self, since: datetime | None, before: datetime) -> list[uuid.UUID]:
        """The products with a stock movement in the window (every product: ``since`` None)."""

    async def balances(self, product_ids: tuple[uuid.UUID, ...]) -> list[StockBalance]: ...
