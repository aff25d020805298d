"""The figures the analytics module answers, for a period of days (UTC, both ends included)
and one currency (amounts in its minor units).

What each figure counts (ADR 30): orders by the day they were placed, with the status they
have now; revenue by the day a payment was captured (gross) or refunded (refunds); the
average order value over the orders paid in the period; the funnel over the orders placed
in it; cancellations and payment failures by the day they happened; top products over the
lines of orders placed in the period, paid and not cancelled; new customers by the day they
registered (any currency); active customers, those who placed an order that day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from orion.shared_kernel.application.messages import Query

STATUSES = ("pending", "awaiting_payment", "paid", "shipped", "delivered", "cancelled")


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpis:
    orders: int
    gross: int
    refunds: int
    net: int
    paid_orders: int
    average_order_value: int
    cancelled: int
    payment_failures: int
    new_customers: int
    active_customers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DayFigures:
    day: date
    gross: int
    refunds: int
    net: int
    orders_by_status: dict[str, int]  # every status of ``STATUSES``, 0 included
    new_customers: int
    active_customers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Funnel:
    placed: int
    paid: int
    shipped: int
    delivered: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductFigures:
    product_id: uuid.UUID
    sku: str
    name: str
    units: int
    revenue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LowStock:
    product_id: uuid.UUID
    sku: str
    name: str
    stock: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    start: date
    end: date
    currency: str
    kpis: Kpis
    previous: Kpis  # the period of the same length just before
    days: list[DayFigures]
    funnel: Funnel
    cancelled_by_reason: dict[str, int]
    failures_by_code: dict[str, int]
    top_by_revenue: list[ProductFigures]
    top_by_units: list[ProductFigures]
    low_stock: list[LowStock]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOverview(Query[Overview]):
    """Raises ``InvalidPeriod`` for an end before the start or a period over a year."""

    start: date
    end: date
    currency: str
    top: int = 5
    low_stock_below: int = 5  # products with at most this many on hand
