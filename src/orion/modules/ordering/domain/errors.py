"""The ordering module's errors.

OrderingError
├── OrderNotFound, CartNotFound, ProductNotFound     -> 404
├── IllegalTransition, CartFull, CartChanged,
│   ProductsUnavailable, MixedCurrencies,
│   IdempotencyKeyInUse                               -> 409
├── InvalidCart, InvalidOrder, CartEmpty,
│   IdempotencyKeyReused, InvalidIdempotencyKey       -> 422
├── IdempotencyKeyRequired                            -> 428
└── CheckoutBusy                                      -> 503 (Retry-After)
"""

from __future__ import annotations

from orion.shared_kernel.domain.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionRequired,
)


class OrderingError(DomainError):
    code = "ordering-error"


class OrderNotFound(OrderingError, NotFound):
    code = "order-not-found"
    title = "Order not found"


class CartNotFound(OrderingError, NotFound):
    code = "cart-not-found"
    title = "Cart not found"


class ProductNotFound(OrderingError, NotFound):
    code = "product-not-found"
    title = "Product not found"


class IllegalTransition(OrderingError, Conflict):
    code = "illegal-order-transition"
    title = "The order cannot make this move from its current status"


class CartFull(OrderingError, Conflict):
    code = "cart-full"
    title = "The cart holds as many lines as it can"


class CartChanged(OrderingError, Conflict):
    code = "cart-changed"
    title = "The cart changed during checkout; send the request again"


class ProductsUnavailable(OrderingError, Conflict):
    code = "products-unavailable"
    title = "Some products in the cart cannot be ordered"


class MixedCurrencies(OrderingError, Conflict):
    code = "mixed-currencies"
    title = "The cart's products are priced in different currencies"


class IdempotencyKeyInUse(OrderingError, Conflict):
    code = "idempotency-key-in-use"
    title = "A request with this Idempotency-Key is still being processed"


class InvalidCart(OrderingError, InvalidInput):
    code = "invalid-cart"
    title = "Invalid cart change"


class InvalidOrder(OrderingError, InvalidInput):
    code = "invalid-order"
    title = "Invalid order"


class CartEmpty(OrderingError, InvalidInput):
    code = "cart-empty"
    title = "The cart is empty"


class IdempotencyKeyReused(OrderingError, InvalidInput):
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used with a different request"


class IdempotencyKeyRequired(OrderingError, PreconditionRequired):
    code = "idempotency-key-required"
    title = "An Idempotency-Key header is required"


class InvalidIdempotencyKey(OrderingError, InvalidInput):
    code = "invalid-idempotency-key"
    title = "The Idempotency-Key header is not usable"


class CheckoutBusy(OrderingError, DependencyUnavailable):
    """More orders are waiting for the saga than ``ORION_CHECKOUT_MAX_UNSETTLED`` (ADR 40)."""

    code = "checkout-busy"
    title = "Orders are being taken faster than they can be settled; retry shortly"
