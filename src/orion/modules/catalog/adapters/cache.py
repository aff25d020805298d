"""The catalog's read model behind the read-through cache: a shop product page (visible
products only) is read from the cache; admin reads, lists and order queries go to SQL.
The unit of work invalidates a product's entry after each commit that changed it."""

from __future__ import annotations

import json
import uuid

from orion.modules.catalog.application.ports import CatalogReadModel
from orion.modules.catalog.application.queries import (
    CategoryView,
    ListProducts,
    ProductPage,
    ProductView,
)
from orion.modules.catalog.contracts.queries import ProductForOrder
from orion.shared_kernel.adapters.cache import ReadThroughCache
from orion.shared_kernel.application.primitives import from_primitive, to_primitive


class CachedCatalogReadModel:
    def __init__(self, inner: CatalogReadModel, cache: ReadThroughCache) -> None:
        self._inner = inner
        self._cache = cache

    async def get_product(self, product_id: uuid.UUID, *, include_hidden: bool) -> ProductView:
        if include_hidden:
            return await self._inner.get_product(product_id, include_hidden=True)
        return await self._cache.get_or_load(
            str(product_id),
            lambda: self._inner.get_product(product_id, include_hidden=False),
            _encode,
            _decode,
        )

    async def list_products(self, query: ListProducts) -> ProductPage:
        return await self._inner.list_products(query)

    async def list_categories(self) -> list[CategoryView]:
        return await self._inner.list_categories()

    async def products_for_order(self, product_ids: tuple[uuid.UUID, ...]) -> list[ProductForOrder]:
        return await self._inner.products_for_order(product_ids)


def _encode(view: ProductView) -> bytes:
    return json.dumps(to_primitive(view)).encode()


def _decode(raw: bytes) -> ProductView:
    view: ProductView = from_primitive(ProductView, json.loads(raw))
    return view
