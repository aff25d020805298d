"""The ports the payments module's use cases need (the provider's is in ``gateway.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from orion.modules.payments.contracts.queries import (
    ListPaymentRecords,
    OrderPayment,
    PaymentRecord,
    PaymentState,
)
from orion.modules.payments.domain.payment import Payment
from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.unit_of_work import UnitOfWork


class PaymentRepository(Protocol):
    async def of_order(self, order_id: uuid.UUID, *, for_update: bool) -> Payment | None: ...

    async def get(self, payment_id: uuid.UUID, *, for_update: bool) -> Payment:
        """Raises ``PaymentNotFound``."""

    async def add(self, payment: Payment) -> bool:
        """False when the order has a payment already (made by a concurrent delivery)."""

    async def save(self, payment: Payment) -> None:
        """Writes a changed payment and its new attempts; raises ``ConcurrencyConflict`` if
        it changed meanwhile."""

    async def unsettled(self, *, untouched_since: datetime, limit: int) -> list[uuid.UUID]:
        """Payments the provider must still be asked about, untouched since then."""


class PaymentsUnitOfWork(UnitOfWork, Protocol):
    payments: PaymentRepository

    async def delivered(self, consumer: str, message_id: uuid.UUID) -> bool: ...

    async def first_delivery(self, consumer: str, message_id: uuid.UUID, type_: str) -> bool: ...


class Delivery(Protocol):
    """The message an event came in (the broker's envelope is one): its id is what the
    inbox records."""

    @property
    def message_id(self) -> uuid.UUID: ...

    @property
    def type(self) -> str: ...


class PaymentsReadModel(Protocol):
    async def of_order(self, order_id: uuid.UUID) -> OrderPayment | None: ...

    async def changed(
        self, statuses: tuple[str, ...], window: ChangedBetween
    ) -> list[PaymentState]:
        """One page of the payments in these statuses whose last change fell in the window."""

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[PaymentState]: ...
    async def records(self, query: ListPaymentRecords) -> list[PaymentRecord]: ...
