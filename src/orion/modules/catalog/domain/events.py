"""What happens to a product or a reservation, in the catalog's own words (internal, not
published as is)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductCreated:
    at: datetime
    stock: int  # the opening stock


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductUpdated:
    at: datetime
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPriceChanged:
    at: datetime
    old: Money
    new: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductDeleted:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StockAdjusted:
    at: datetime
    delta: int
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReserved:
    """Units of a product set aside for an order: off the stock on hand."""

    at: datetime
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StockReleased:
    """Units an order had reserved, back on hand."""

    at: datetime
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationMade:
    """Every line of the order is reserved."""

    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationRefused:
    """Nothing is reserved for the order: ``product_ids`` cannot be had, for ``reason``."""

    at: datetime
    reason: str
    product_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationReleased:
    """What the order had reserved is back on hand."""

    at: datetime
