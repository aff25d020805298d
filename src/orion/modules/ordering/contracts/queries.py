"""What other modules may ask the ordering module, through the mediator.

The state of orders, for the consistency auditor (``orion audit``); ``ListOrderRecords`` pages
through every order with its lines and status history, by id: what a read model fed by
ordering's events (the analytics module's) is rebuilt from when it was added late or lost,
without reading ordering's tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.messages import Query

SOLD = ("paid", "shipped", "delivered")  # the statuses of an order the customer paid for
CANCELLED = "cancelled"
STATUSES = ("pending", "awaiting_payment", *SOLD, CANCELLED)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """An order's status and total as of its last move (``changed_at``)."""

    order_id: uuid.UUID
    status: str  # pending, awaiting_payment, paid, shipped, delivered, cancelled
    currency: str
    total_amount: int
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrdersChanged(Query[list[OrderState]]):
    """The orders in one of ``statuses`` whose last move fell in the window."""

    statuses: tuple[str, ...]
    window: ChangedBetween


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOrderStates(Query[list[OrderState]]):
    """The orders with these ids; unknown ids are left out."""

    order_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEvents:
    """The events an order's history published, one per move (their wire names)."""

    order_id: uuid.UUID
    event_types: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOrderEvents(Query[list[OrderEvents]]):
    """The events the history of each of these orders published."""

    order_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRecordLine:
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price_amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRecordStep:
    """One move of the order: ``status`` entered ``at``; ``reason`` for a cancellation."""

    status: str
    at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRecord:
    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    total_amount: int
    placed_at: datetime
    lines: list[OrderRecordLine]
    history: list[OrderRecordStep]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrderRecords(Query[list[OrderRecord]]):
    """Up to ``limit`` orders whose id is after ``after``, by id (an empty list: no more)."""

    after: uuid.UUID | None = None
    limit: int = 500
