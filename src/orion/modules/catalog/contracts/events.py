"""Events the catalog publishes. ``aggregate_id`` is the product id; amounts are minor units.

A wire name is forever: a breaking change is a new class with a new version (``…V2``).
"""

from __future__ import annotations

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
