"""What other modules may ask the ordering module.

``ListOrderRecords`` pages through every order with its lines and status history, by id: what
a read model fed by ordering's events (the analytics module's) is rebuilt from when it was
added late or lost, without reading ordering's tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.messages import Query


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
