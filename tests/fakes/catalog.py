"""In-memory catalog ports with the same contract as the SQL adapters."""

from __future__ import annotations

import copy
import uuid
from types import TracebackType
from typing import Self

from orion.modules.catalog.domain.errors import DuplicateSku, ProductNotFound, StaleProduct
from orion.modules.catalog.domain.product import Product
from orion.shared_kernel.application.messages import IntegrationEvent


class FakeProductRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Product] = {}

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        product = self.rows.get(product_id)
        if product is None or product.is_deleted:
            raise ProductNotFound(f"no product {product_id}")
        return copy.deepcopy(product)

    async def add(self, product: Product) -> None:
        if any(p.sku == product.sku and not p.is_deleted for p in self.rows.values()):
            raise DuplicateSku(f"sku {product.sku!r} is taken")
        product.mark_persisted()
        self.rows[product.id] = _stored(product)

    async def save(self, product: Product) -> None:
        if self.rows[product.id].version != product.loaded_version:
            raise StaleProduct(f"product {product.id} changed meanwhile")
        product.mark_persisted()
        self.rows[product.id] = _stored(product)


class FakeCatalogUnitOfWork:
    """Changes become visible only on commit, as in a transaction; events land in ``outbox``."""

    def __init__(self) -> None:
        self.committed = FakeProductRepository()
        self.products = FakeProductRepository()
        self.outbox: list[IntegrationEvent] = []
        self.commits = 0
        self._staged: list[IntegrationEvent] = []

    def __call__(self) -> Self:
        return self

    async def __aenter__(self) -> Self:
        self.products = FakeProductRepository()
        self.products.rows = copy.deepcopy(self.committed.rows)
        self._staged = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._staged = []

    def publish(self, *events: IntegrationEvent) -> None:
        self._staged.extend(events)

    async def commit(self) -> None:
        self.committed.rows = copy.deepcopy(self.products.rows)
        self.outbox.extend(self._staged)
        self._staged = []
        self.commits += 1


def _stored(product: Product) -> Product:
    """A copy as a table would hold it: state only, none of the pending events."""
    stored = copy.deepcopy(product)
    stored.pull_events()
    return stored
