"""What other modules may ask the catalog, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductForOrder:
    """A product as an order needs it. ``active`` is false once it is deactivated or deleted."""

    product_id: uuid.UUID
    sku: str
    name: str
    price_amount: int
    currency: str
    stock: int
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProductsForOrder(Query[list[ProductForOrder]]):
    """Unknown ids are left out of the answer; deleted products are included, inactive."""

    product_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLevel:
    """A product's stock on hand now (reservations taken off), with what names it."""

    product_id: uuid.UUID
    sku: str
    name: str
    stock: int
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ListStockLevels(Query[list[StockLevel]]):
    """Up to ``limit`` products (deleted ones left out) whose id is after ``after``, by id (an
    empty list: no more): what a read model fed by the catalog's events is rebuilt from."""

    after: uuid.UUID | None = None
    limit: int = 500
