"""The Order aggregate: what was bought, at which prices, and where it is in its life.

    pending ──stock reserved──> awaiting_payment ──paid──> paid ──> shipped ──> delivered
       │                              │                     │
       └──────────────────────────────┴─────────────────────┴──> cancelled

Any other move is refused. Every move is kept in the history with its time and reason.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from orion.shared_kernel.domain.aggregate import AggregateRoot
from orion.shared_kernel.domain.money import Money

from .errors import IllegalTransition, InvalidOrder, MixedCurrencies


class OrderStatus(StrEnum):
    PENDING = "pending"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED}),
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class CancelReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    CUSTOMER_REQUEST = "customer_request"
    PAYMENT_DECLINED = "payment_declined"
    ADMIN_REQUEST = "admin_request"


COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingAddress:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2

    def __post_init__(self) -> None:
        for field in ("name", "line1", "city", "postal_code"):
            if not getattr(self, field).strip():
                raise InvalidOrder(f"shipping_address.{field} must not be blank")
        if not COUNTRY.fullmatch(self.country):
            raise InvalidOrder("shipping_address.country must be an ISO 3166 code such as 'FR'")


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    id: uuid.UUID
    email: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    product_id: uuid.UUID
    sku: str
    name: str
    unit_price: Money
    quantity: int

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedRate:
    """The exchange rate an order in another currency was priced with: its lines are in the
    charged currency, each unit price converted from ``base_currency`` at ``rate``."""

    base_currency: str
    rate: Decimal
    source: str
    as_of: date
    fetched_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    status: OrderStatus
    at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPlaced:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderStatusChanged:
    previous: OrderStatus
    change: StatusChange


class Order(AggregateRoot):
    def __init__(
        self,
        *,
        id: uuid.UUID,
        number: str,
        customer: Customer,
        lines: tuple[OrderLine, ...],
        shipping_address: ShippingAddress,
        payment_token: str,
        history: list[StatusChange],
        version: int = 0,
        applied_rate: AppliedRate | None = None,
    ) -> None:
        super().__init__(version=version)
        self.applied_rate = applied_rate
        self.id = id
        self.number = number
        self.customer = customer
        self.lines = lines
        self.shipping_address = shipping_address
        self.payment_token = payment_token
        self.history = history

    @classmethod
    def place(
        cls,
        *,
        id: uuid.UUID,
        number: str,
        customer: Customer,
        lines: tuple[OrderLine, ...],
        shipping_address: ShippingAddress,
        payment_token: str,
        now: datetime,
        applied_rate: AppliedRate | None = None,
    ) -> Order:
        if not lines:
            raise InvalidOrder("an order needs at least one line")
        if len({line.unit_price.currency for line in lines}) != 1:
            raise MixedCurrencies("every line of an order must be in one currency")
        if not payment_token.strip():
            raise InvalidOrder("payment.token must not be blank")
        order = cls(
            id=id,
            number=number,
            customer=customer,
            lines=lines,
            shipping_address=shipping_address,
            payment_token=payment_token,
            history=[StatusChange(status=OrderStatus.PENDING, at=now, reason=None)],
            applied_rate=applied_rate,
        )
        order._record(OrderPlaced(at=now))
        return order

    @property
    def status(self) -> OrderStatus:
        return self.history[-1].status

    @property
    def placed_at(self) -> datetime:
        return self.history[0].at

    @property
    def updated_at(self) -> datetime:
        return self.history[-1].at

    @property
    def total(self) -> Money:
        total = self.lines[0].total
        for line in self.lines[1:]:
            total += line.total
        return total

    def stock_reserved(self, *, now: datetime) -> None:
        self._move(OrderStatus.AWAITING_PAYMENT, now=now, reason=None)

    def paid(self, *, now: datetime) -> None:
        self._move(OrderStatus.PAID, now=now, reason=None)

    def ship(self, *, now: datetime) -> None:
        self._move(OrderStatus.SHIPPED, now=now, reason=None)

    def deliver(self, *, now: datetime) -> None:
        self._move(OrderStatus.DELIVERED, now=now, reason=None)

    def cancel(self, reason: CancelReason, *, now: datetime) -> None:
        self._move(OrderStatus.CANCELLED, now=now, reason=reason)

    def can_move_to(self, status: OrderStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def _move(self, to: OrderStatus, *, now: datetime, reason: str | None) -> None:
        if not self.can_move_to(to):
            raise IllegalTransition(f"order {self.number} is {self.status}; it cannot become {to}")
        previous = self.status
        change = StatusChange(status=to, at=now, reason=reason)
        self.history.append(change)
        self._record(OrderStatusChanged(previous=previous, change=change))
