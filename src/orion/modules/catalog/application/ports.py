"""The ports the catalog's use cases need; adapters implement them."""

from __future__ import annotations

import uuid
from typing import Protocol

from orion.modules.catalog.contracts.queries import ProductForOrder
from orion.modules.catalog.domain.product import Product
from orion.shared_kernel.application.unit_of_work import UnitOfWork

from .queries import CategoryView, ListProducts, ProductPage, ProductView


class ProductRepository(Protocol):
    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        """Raises ``ProductNotFound``; ``for_update`` locks the row until commit."""

    async def add(self, product: Product) -> None:
        """Raises ``DuplicateSku``."""

    async def save(self, product: Product) -> None:
        """Writes a changed product; raises ``StaleProduct`` if its version moved meanwhile."""


class CatalogUnitOfWork(UnitOfWork, Protocol):
    products: ProductRepository


class CatalogReadModel(Protocol):
    async def get_product(self, product_id: uuid.UUID, *, include_hidden: bool) -> ProductView:
        """Raises ``ProductNotFound``."""

    async def list_products(self, query: ListProducts) -> ProductPage: ...

    async def list_categories(self) -> list[CategoryView]: ...

    async def products_for_order(
        self, product_ids: tuple[uuid.UUID, ...]
    ) -> list[ProductForOrder]: ...
