"""What other modules may ask the payments module, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentAttemptView:
    number: int
    at: datetime
    step: str  # charge, look_up, refund
    outcome: str  # captured, declined, not_found, refunded, error
    detail: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderPayment:
    payment_id: uuid.UUID
    status: str  # pending, captured, failed, refunded
    amount: int
    currency: str
    provider: str
    provider_reference: str | None
    failure_reason: str | None
    attempts: list[PaymentAttemptView]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOrderPayment(Query["OrderPayment | None"]):
    """The payment of an order, None while there is none yet."""

    order_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentState:
    """A payment's status and amount as of its last change (``changed_at``)."""

    order_id: uuid.UUID
    payment_id: uuid.UUID
    status: str  # pending, captured, failed, refunded
    amount: int
    currency: str
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPaymentsChanged(Query[list[PaymentState]]):
    """The payments in one of ``statuses`` whose last change fell in the window (for the
    consistency auditor)."""

    statuses: tuple[str, ...]
    window: ChangedBetween


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPaymentStates(Query[list[PaymentState]]):
    """The payments of these orders; orders without one are left out."""

    order_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRecord:
    """A payment's outcome and when each came: what a read model fed by payments' events is
    rebuilt from. ``failure_reason`` is the provider's decline code."""

    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount: int
    currency: str
    failure_reason: str | None
    captured_at: datetime | None
    failed_at: datetime | None
    refunded_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPaymentRecords(Query[list[PaymentRecord]]):
    """Up to ``limit`` payments whose id is after ``after``, by id (an empty list: no more)."""

    after: uuid.UUID | None = None
    limit: int = 500
