"""Events the ordering module publishes, one per step of an order's life. ``aggregate_id``
is the order id and ``aggregate_version`` the order's version after the step; amounts are
minor units of ``currency``.

Each carries the order number and the customer's email and name, so that a consumer (the
notifications module) can tell the customer without asking back.

A wire name is forever: a breaking change is a new class with a new version (``…V2``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from orion.shared_kernel.application.messages import IntegrationEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLineV1:
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price_amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEventV1(IntegrationEvent):
    """What every order event says about the order and its customer."""

    number: str
    customer_id: uuid.UUID
    customer_email: str
    customer_name: str
    currency: str
    total_amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlacedV1(OrderEventV1):
    """A customer checked out: the catalog reserves ``lines`` for the order, all or none."""

    wire_name: ClassVar[str] = "ordering.order_placed.v1"

    lines: list[OrderLineV1]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderAwaitingPaymentV1(OrderEventV1):
    """The stock is reserved: the order is to be charged with ``payment_token``."""

    wire_name: ClassVar[str] = "ordering.order_awaiting_payment.v1"

    payment_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPaidV1(OrderEventV1):
    wire_name: ClassVar[str] = "ordering.order_paid.v1"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderShippedV1(OrderEventV1):
    wire_name: ClassVar[str] = "ordering.order_shipped.v1"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDeliveredV1(OrderEventV1):
    wire_name: ClassVar[str] = "ordering.order_delivered.v1"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCancelledV1(OrderEventV1):
    """The order ends unfulfilled. The catalog releases whatever it reserved for it;
    ``refund_due`` says the order was paid and the payment is to be refunded.

    ``reason`` is a stable code: ``out_of_stock``, ``product_unavailable``,
    ``customer_request``, ``payment_declined`` or ``admin_request``.
    """

    wire_name: ClassVar[str] = "ordering.order_cancelled.v1"

    reason: str
    previous_status: str
    refund_due: bool
