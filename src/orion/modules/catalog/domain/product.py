"""The Product aggregate: what a shop sells, at what price, with how much on hand."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from orion.shared_kernel.domain.aggregate import AggregateRoot
from orion.shared_kernel.domain.money import Money

from .errors import (
    InsufficientStock,
    InvalidProduct,
    InvalidReservation,
    ProductNotFound,
    ProductUnavailable,
)
from .events import (
    ProductCreated,
    ProductDeleted,
    ProductPriceChanged,
    ProductUpdated,
    StockAdjusted,
    StockReleased,
    StockReserved,
)

SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_CATEGORY = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductChanges:
    """A partial update: ``None`` leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    category: str | None = None
    price: Money | None = None
    active: bool | None = None


class Shortfall(StrEnum):
    """Why a quantity of a product cannot be reserved (the codes of StockReservationFailedV1)."""

    PRODUCT_UNAVAILABLE = "product_unavailable"  # inactive or deleted
    OUT_OF_STOCK = "out_of_stock"


class Product(AggregateRoot):
    def __init__(
        self,
        *,
        id: uuid.UUID,
        sku: str,
        name: str,
        description: str,
        category: str,
        price: Money,
        stock: int,
        active: bool,
        created_at: datetime,
        updated_at: datetime,
        deleted_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.sku = sku
        self.name = name
        self.description = description
        self.category = category
        self.price = price
        self.stock = stock
        self.active = active
        self.created_at = created_at
        self.updated_at = updated_at
        self.deleted_at = deleted_at

    @classmethod
    def create(
        cls,
        *,
        id: uuid.UUID,
        sku: str,
        name: str,
        description: str,
        category: str,
        price: Money,
        stock: int,
        active: bool,
        now: datetime,
    ) -> Product:
        if not SKU.fullmatch(sku):
            raise InvalidProduct(
                "sku must be 1 to 64 letters, digits, '.', '_' or '-', starting alphanumeric"
            )
        if stock < 0:
            raise InvalidProduct("stock cannot be negative")
        product = cls(
            id=id,
            sku=sku,
            name=_name(name),
            description=_description(description),
            category=_category(category),
            price=_price(price),
            stock=stock,
            active=active,
            created_at=now,
            updated_at=now,
        )
        product._record(ProductCreated(at=now, stock=stock))
        return product

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_available(self) -> bool:
        """Shown to customers and orderable."""
        return self.active and not self.is_deleted

    def update(self, changes: ProductChanges, *, now: datetime) -> None:
        """Applies every change or, when one is invalid, none."""
        self._ensure_exists()
        proposed = {
            "name": None if changes.name is None else _name(changes.name),
            "description": None
            if changes.description is None
            else _description(changes.description),
            "category": None if changes.category is None else _category(changes.category),
            "active": changes.active,
            "price": None if changes.price is None else _price(changes.price),
        }
        changed = [
            field
            for field, value in proposed.items()
            if value is not None and value != getattr(self, field)
        ]
        if not changed:
            return
        old_price = self.price
        for field in changed:
            setattr(self, field, proposed[field])
        self.updated_at = now
        self._record(ProductUpdated(at=now, fields=tuple(changed)))
        if "price" in changed:
            self._record(ProductPriceChanged(at=now, old=old_price, new=self.price))

    def delete(self, *, now: datetime) -> None:
        """Soft delete: gone from the shop, kept for the orders that name it."""
        self._ensure_exists()
        self.deleted_at = now
        self.updated_at = now
        self._record(ProductDeleted(at=now))

    def adjust_stock(self, delta: int, *, reason: str | None, now: datetime) -> None:
        self._ensure_exists()
        if delta == 0:
            raise InvalidProduct("a stock adjustment needs a non-zero delta")
        if self.stock + delta < 0:
            raise InsufficientStock(f"{self.stock} on hand; removing {-delta} would go below zero")
        self.stock += delta
        self.updated_at = now
        self._record(StockAdjusted(at=now, delta=delta, reason=reason))

    def shortfall(self, quantity: int) -> Shortfall | None:
        """Why ``quantity`` cannot be reserved now, or ``None`` if it can."""
        if not self.is_available:
            return Shortfall.PRODUCT_UNAVAILABLE
        if quantity > self.stock:
            return Shortfall.OUT_OF_STOCK
        return None

    def reserve(self, quantity: int, *, now: datetime) -> None:
        """Takes ``quantity`` off the stock on hand for an order."""
        require_positive(quantity)
        match self.shortfall(quantity):
            case Shortfall.PRODUCT_UNAVAILABLE:
                raise ProductUnavailable(f"product {self.id} is inactive or deleted")
            case Shortfall.OUT_OF_STOCK:
                raise InsufficientStock(f"{self.stock} on hand; {quantity} cannot be reserved")
        self.stock -= quantity
        self.updated_at = now
        self._record(StockReserved(at=now, quantity=quantity))

    def release(self, quantity: int, *, now: datetime) -> None:
        """Puts back what an order reserved, even if the product was deactivated or deleted
        meanwhile: the units are on hand again."""
        require_positive(quantity)
        self.stock += quantity
        self.updated_at = now
        self._record(StockReleased(at=now, quantity=quantity))

    def _ensure_exists(self) -> None:
        if self.is_deleted:
            raise ProductNotFound(f"product {self.id} was deleted")


def _name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_NAME:
        raise InvalidProduct(f"name must be 1 to {MAX_NAME} characters")
    return value


def _description(value: str) -> str:
    if len(value) > MAX_DESCRIPTION:
        raise InvalidProduct(f"description must be at most {MAX_DESCRIPTION} characters")
    return value


def _category(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_CATEGORY:
        raise InvalidProduct(f"category must be 1 to {MAX_CATEGORY} characters")
    return value


def require_positive(quantity: int) -> None:
    """A quantity reserved or released is at least one."""
    if quantity <= 0:
        raise InvalidReservation(f"a reserved quantity must be positive, not {quantity}")


def _price(value: Money) -> Money:
    if value.is_negative():
        raise InvalidProduct("price cannot be negative")
    return value
