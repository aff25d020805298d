"""The catalog's read model behind the read-through cache (ADR 14): a shop product page
(visible products only) and the shop's list pages are read from the cache; searches (``q``),
admin reads and order queries go to SQL.

A product's page is cached under the product's id; every list page is a field of one
``lists`` key. ``stale_keys`` says what each of the catalog's events makes stale: the
catalog's unit of work drops those keys after its commit, and the catalog's subscription to
its own events drops them again through the inbox.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TypeVar

import orjson

from orion.modules.catalog.application.ports import CatalogReadModel
from orion.modules.catalog.application.queries import (
    CategoryView,
    GetProductFacets,
    ListProducts,
    ProductFacets,
    ProductPage,
    ProductView,
)
from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductPriceChangedV1,
    ProductUpdatedV1,
    StockAdjustedV1,
    StockReleasedV1,
    StockReservedV1,
)
from orion.modules.catalog.contracts.queries import ListStockLevels, ProductForOrder, StockLevel
from orion.shared_kernel.adapters.cache import ReadThroughCache
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.application.primitives import from_primitive, to_primitive

LISTS = "lists"
PRODUCT_EVENTS = (
    ProductCreatedV1,
    ProductUpdatedV1,
    ProductPriceChangedV1,
    ProductDeletedV1,
    StockAdjustedV1,
)
STOCK_EVENTS = (StockReservedV1, StockReleasedV1)
V = TypeVar("V", ProductView, ProductPage)


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
            _decoder(ProductView),
        )

    async def list_products(self, query: ListProducts) -> ProductPage:
        if query.q is not None:  # searches are too many and too varied to be worth keeping
            return await self._inner.list_products(query)
        return await self._cache.get_or_load(
            LISTS,
            lambda: self._inner.list_products(query),
            _encode,
            _decoder(ProductPage),
            field=json.dumps(to_primitive(query), sort_keys=True),
        )

    async def product_facets(self, query: GetProductFacets) -> ProductFacets:
        return await self._inner.product_facets(query)  # searches, mostly: as list_products

    async def list_categories(self) -> list[CategoryView]:
        return await self._inner.list_categories()

    async def products_for_order(self, product_ids: tuple[uuid.UUID, ...]) -> list[ProductForOrder]:
        return await self._inner.products_for_order(product_ids)

    async def stock_levels(self, query: ListStockLevels) -> list[StockLevel]:
        return await self._inner.stock_levels(query)  # a rebuild's pass: nothing to keep


def stale_keys(event: IntegrationEvent) -> list[str]:
    """The cache keys a catalog event makes stale: the products it changed and the lists."""
    if isinstance(event, PRODUCT_EVENTS):
        return [str(event.aggregate_id), LISTS]
    if isinstance(event, STOCK_EVENTS):
        return [*(str(line.product_id) for line in event.lines), LISTS]
    return []  # a refused reservation changed no product


def _encode(view: ProductView | ProductPage) -> bytes:
    return orjson.dumps(to_primitive(view))


def _decoder(kind: type[V]) -> Callable[[bytes], V]:
    def decode(raw: bytes) -> V:
        view: V = from_primitive(kind, orjson.loads(raw))
        return view

    return decode
