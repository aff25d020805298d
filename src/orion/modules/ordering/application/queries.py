"""What the ordering module answers, and the views it answers with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.modules.ordering.domain.order import Order, OrderStatus, ShippingAddress, StatusChange
from orion.shared_kernel.application.messages import Query
from orion.shared_kernel.domain.money import Money

MAX_PAGE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class CartRef:
    """Which cart a request means: the customer's (a guest token then asks for a merge), or
    the guest cart of ``token``."""

    customer_id: uuid.UUID | None
    token: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CartLineView:
    product_id: uuid.UUID
    sku: str | None
    name: str | None
    quantity: int
    unit_price: Money | None
    line_total: Money | None
    available: bool  # false: the product is gone or not for sale; checkout refuses it
    in_stock: bool  # false: fewer on hand than the quantity (now; checkout reserves)


@dataclass(frozen=True, slots=True, kw_only=True)
class CartView:
    id: uuid.UUID
    lines: list[CartLineView]
    total: Money | None  # of the available lines; None when there are none
    item_count: int
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLineView:
    product_id: uuid.UUID
    sku: str
    name: str
    unit_price: Money
    quantity: int
    line_total: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedRateView:
    base_currency: str
    rate: str  # decimal text: primitives carry no Decimal
    source: str
    as_of: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderView:
    id: uuid.UUID
    number: str
    status: OrderStatus
    customer_id: uuid.UUID
    customer_email: str
    lines: list[OrderLineView]
    total: Money
    shipping_address: ShippingAddress
    history: list[StatusChange]
    placed_at: datetime
    updated_at: datetime
    applied_rate: AppliedRateView | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSummaryView:
    id: uuid.UUID
    number: str
    status: OrderStatus
    customer_id: uuid.UUID
    customer_email: str
    total: Money
    item_count: int
    placed_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPage:
    items: list[OrderSummaryView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCart(Query[CartView]):
    cart: CartRef


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOrder(Query[OrderView]):
    """A customer's own order (``customer_id``), or any order for an admin (None)."""

    order_id: uuid.UUID
    customer_id: uuid.UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrders(Query[OrderPage]):
    """A customer's orders (``customer_id``), or everyone's for an admin (None).

    ``created_from`` is inclusive and ``created_to`` exclusive; totals are minor units,
    inclusive; ``q`` matches the order number or a product's name."""

    customer_id: uuid.UUID | None
    statuses: tuple[OrderStatus, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    min_total: int | None = None
    max_total: int | None = None
    q: str | None = None
    customer_email: str | None = None
    sort: str = "-created_at"
    limit: int = 20
    cursor: str | None = None


def order_view(order: Order) -> OrderView:
    return OrderView(
        id=order.id,
        number=order.number,
        status=order.status,
        customer_id=order.customer.id,
        customer_email=order.customer.email,
        lines=[
            OrderLineView(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.total,
            )
            for line in order.lines
        ],
        total=order.total,
        shipping_address=order.shipping_address,
        history=list(order.history),
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        applied_rate=None
        if order.applied_rate is None
        else AppliedRateView(
            base_currency=order.applied_rate.base_currency,
            rate=str(order.applied_rate.rate),
            source=order.applied_rate.source,
            as_of=order.applied_rate.as_of.isoformat(),
            fetched_at=order.applied_rate.fetched_at,
        ),
    )
