"""What the admin dashboard may ask and tell the ordering module: the order list with the
API's filters and keyset pages, an order with its lines and history, and its moves (ship,
deliver, cancel), each refused (``Conflict``, 409) when the order's status does not allow
it, with the reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orion.shared_kernel.application.messages import Command, Query

from .queries import OrderRecordLine, OrderRecordStep

Move = Literal["ship", "deliver", "cancel"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRow:
    order_id: uuid.UUID
    number: str
    status: str
    customer_email: str
    currency: str
    total_amount: int
    item_count: int
    placed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRows:
    items: list[OrderRow]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDetail:
    order_id: uuid.UUID
    number: str
    status: str
    customer_id: uuid.UUID
    customer_email: str
    currency: str
    total_amount: int
    lines: list[OrderRecordLine]
    history: list[OrderRecordStep]
    shipping_address: dict[str, str]
    placed_at: datetime
    moves: list[str]  # what its status allows now: ship, deliver, cancel


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrdersForAdmin(Query[OrderRows]):
    """Every customer's orders: ``statuses`` any of; ``q`` the number or a product's name;
    ``sort`` as the API's (``-created_at``, ``total``, ``status``...)."""

    statuses: tuple[str, ...] = ()
    q: str | None = None
    customer_email: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: str = "-created_at"
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOrderForAdmin(Query[OrderDetail]):
    order_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveOrder(Command[OrderDetail]):
    """An admin's move; a cancellation's reason is ``admin_request`` (a paid order is
    refunded)."""

    order_id: uuid.UUID
    move: Move
