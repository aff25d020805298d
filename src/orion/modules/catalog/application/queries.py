"""What the catalog answers, and the views it answers with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orion.shared_kernel.application.messages import Query

ProductSort = Literal["name", "-name", "price", "-price", "created_at", "-created_at"]
MAX_PAGE = 100


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
class GetProduct(Query[ProductView]):
    """``include_hidden`` (admins) also finds inactive products; deleted ones are never found."""

    product_id: uuid.UUID
    include_hidden: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProducts(Query[ProductPage]):
    q: str | None = None
    category: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    sort: ProductSort = "name"
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCategories(Query[list[CategoryView]]):
    pass
