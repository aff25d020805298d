"""What an operator can ask the catalog to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command

from .queries import ProductView


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
