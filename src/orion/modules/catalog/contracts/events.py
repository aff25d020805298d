"""Events the catalog publishes. ``aggregate_id`` is the product id, except in an order's
stock reservation events (StockReservedV1, StockReservationFailedV1, StockReleasedV1): there
it is the order id, and ``aggregate_version`` is 1 when reserved or failed, 2 when released.
Amounts are minor units.

A wire name is forever: a breaking change is a new class with a new version (``…V2``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from orion.shared_kernel.application.messages import IntegrationEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductCreatedV1(IntegrationEvent):
    wire_name: ClassVar[str] = "catalog.product_created.v1"

    sku: str
    name: str
    description: str
    category: str
    price_amount: int
    price_currency: str
    stock: int
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductUpdatedV1(IntegrationEvent):
    """The product as it is after the change, and the names of the fields that changed."""

    wire_name: ClassVar[str] = "catalog.product_updated.v1"

    changed: list[str]
    sku: str
    name: str
    description: str
    category: str
    price_amount: int
    price_currency: str
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPriceChangedV1(IntegrationEvent):
    wire_name: ClassVar[str] = "catalog.product_price_changed.v1"

    sku: str
    old_amount: int
    old_currency: str
    new_amount: int
    new_currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductDeletedV1(IntegrationEvent):
    wire_name: ClassVar[str] = "catalog.product_deleted.v1"

    sku: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StockAdjustedV1(IntegrationEvent):
    wire_name: ClassVar[str] = "catalog.stock_adjusted.v1"

    sku: str
    delta: int
    stock: int
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservedLineV1:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReservedV1(IntegrationEvent):
    """Stock for every line of an order is set aside. ``aggregate_id`` is the order id."""

    wire_name: ClassVar[str] = "catalog.stock_reserved.v1"

    lines: list[ReservedLineV1]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReservationFailedV1(IntegrationEvent):
    """Nothing was reserved for the order (``aggregate_id``): some line could not be had.
    ``reason`` is ``out_of_stock`` or ``product_unavailable``."""

    wire_name: ClassVar[str] = "catalog.stock_reservation_failed.v1"

    reason: str
    product_ids: list[uuid.UUID]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReleasedV1(IntegrationEvent):
    """What was reserved for the cancelled order (``aggregate_id``) is back on hand."""

    wire_name: ClassVar[str] = "catalog.stock_released.v1"

    lines: list[ReservedLineV1]
