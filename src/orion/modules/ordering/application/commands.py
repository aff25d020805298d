"""What the ordering module can be told to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from orion.modules.ordering.domain.order import ShippingAddress
from orion.shared_kernel.application.messages import Command

from .queries import CartRef, CartView, OrderView


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCart(Command["OpenedCart"]):
    """A new guest cart, or the customer's own (made if missing, merged with ``guest_token``)."""

    customer_id: uuid.UUID | None
    guest_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenedCart:
    cart: CartView
    created: bool
    token: str | None  # only for a new guest cart: the one time it is told


@dataclass(frozen=True, slots=True, kw_only=True)
class SetCartItem(Command[CartView]):
    cart: CartRef
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveCartItem(Command[CartView]):
    cart: CartRef
    product_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearCart(Command[None]):
    cart: CartRef


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceOrder(Command["PlacedOrder"]):
    """Checkout of the customer's cart. ``fingerprint`` identifies the request's content:
    the same key with another fingerprint is refused."""

    customer_id: uuid.UUID
    idempotency_key: str
    fingerprint: str
    shipping_address: ShippingAddress
    payment_token: str
    currency: str | None = None  # charged in it, at the current exchange rate


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedOrder:
    order: OrderView
    replayed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOrder(Command[OrderView]):
    """By its customer (``customer_id``) or, when ``customer_id`` is None, by an admin."""

    order_id: uuid.UUID
    customer_id: uuid.UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipOrder(Command[OrderView]):
    order_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverOrder(Command[OrderView]):
    order_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanUp(Command["CleanedUp"]):
    """Removes guest carts untouched for ``guest_cart_ttl`` and idempotency keys older than
    ``idempotency_key_ttl``."""

    guest_cart_ttl: timedelta
    idempotency_key_ttl: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanedUp:
    guest_carts: int
    idempotency_keys: int
