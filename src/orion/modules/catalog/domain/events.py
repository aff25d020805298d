"""What happens to a product, in the catalog's own words (internal, not published as is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductCreated:
    at: datetime


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
