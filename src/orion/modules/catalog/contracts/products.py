"""What the catalog answers and does for its admins (the API's admin routes and the admin
dashboard), and the views it answers with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orion.shared_kernel.application.messages import Command, Query

ProductSort = Literal["relevance", "name", "-name", "price", "-price", "created_at", "-created_at"]
MAX_PAGE = 100
# Where the price bands of the facets start, in minor units; the last band has no upper end.
PRICE_BAND_STARTS = (0, 1000, 2500, 5000, 10000, 25000)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductView:
    id: uuid.UUID
    sku: str
    name: str
    description: str
    category: str
    price_amount: int
    price_currency: str
    stock: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPage:
    items: list[ProductView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryView:
    name: str
    product_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FacetCount:
    name: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceBandCount:
    """Prices from ``min_price`` to ``max_price`` inclusive (``None``: no upper end), as the
    list's ``min_price`` and ``max_price`` filters take them."""

    min_price: int
    max_price: int | None
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductFacets:
    total: int
    categories: list[FacetCount]
    price_bands: list[PriceBandCount]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProduct(Query[ProductView]):
    """``include_hidden`` (admins) also finds inactive products; deleted ones are never found."""

    product_id: uuid.UUID
    include_hidden: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductFilters:
    """What narrows the shop's products. ``q`` is a full-text search (web search syntax:
    ``"a phrase"``, ``or``, ``-word``; its last word also matches as a prefix)."""

    q: str | None = None
    category: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProducts(ProductFilters, Query[ProductPage]):
    """A page of products. With ``q`` they come ranked: a product named exactly ``q`` first,
    then by how well they match, then by ``sort``; ``relevance`` (the default with ``q``)
    breaks ties by name. Without ``q``, ``relevance`` is ``name``."""

    sort: ProductSort | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProductFacets(ProductFilters, Query[ProductFacets]):
    """How many products each category and each price band holds among those the filters
    select, each facet counted without its own filter (the categories without ``category``,
    the bands without ``min_price``/``max_price``), so that it shows where else to go."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCategories(Query[list[CategoryView]]):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateProduct(Command[ProductView]):
    sku: str
    name: str
    description: str
    category: str
    price_amount: int
    price_currency: str
    stock: int = 0
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProduct(Command[ProductView]):
    """A partial update under optimistic concurrency: ``None`` leaves a field as it is.
    A price without a currency keeps the product's currency."""

    product_id: uuid.UUID
    expected_version: int
    name: str | None = None
    description: str | None = None
    category: str | None = None
    price_amount: int | None = None
    price_currency: str | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteProduct(Command[None]):
    product_id: uuid.UUID
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustStock(Command[ProductView]):
    """Adds ``delta`` (negative to remove); adjustments serialize, so none needs a version."""

    product_id: uuid.UUID
    delta: int
    reason: str | None = None
