"""In-memory payments ports with the same contract as the SQL adapters, and a scripted
payment provider.

The repository keeps SQL's invariants: one payment per order (``add`` answers False, as the
unique order id does), ``PaymentNotFound``, the optimistic version check on ``save``. Row
locks as far as a fake can: the fake holds one transaction at a time, so nothing runs
concurrently, but a transaction may only ``save`` a payment whose row it locked (loaded
``for_update`` or added), so a handler that applies an outcome without the lock fails here.
The provider refuses to be called while a transaction is open.
"""

from __future__ import annotations

import copy
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from orion.modules.payments.application.events import integration_events
from orion.modules.payments.application.gateway import Charge, ChargeRequest, GatewayUnavailable
from orion.modules.payments.application.handlers import order_payment
from orion.modules.payments.contracts.queries import OrderPayment
from orion.modules.payments.domain.errors import PaymentNotFound
from orion.modules.payments.domain.payment import Payment, PaymentStatus
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.domain.errors import ConcurrencyConflict
from orion.shared_kernel.domain.money import Money
from tests.fakes.unit_of_work import FakeUnitOfWork, stored


class FakePaymentRepository:
    def __init__(self, uow: FakePaymentsUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, Payment]:
        return self._uow.table("payments")

    async def of_order(self, order_id: uuid.UUID, *, for_update: bool) -> Payment | None:
        found = next((p for p in self.rows.values() if p.order_id == order_id), None)
        return None if found is None else self._load(found, for_update=for_update)

    async def get(self, payment_id: uuid.UUID, *, for_update: bool) -> Payment:
        if payment_id not in self.rows:
            raise PaymentNotFound(f"no payment {payment_id}")
        return self._load(self.rows[payment_id], for_update=for_update)

    async def add(self, payment: Payment) -> bool:
        if payment.id in self.rows or any(
            p.order_id == payment.order_id for p in self.rows.values()
        ):
            return False
        payment.mark_persisted()
        self.rows[payment.id] = stored(payment)
        self._uow.locked.add(payment.id)  # the inserting transaction holds the new row
        self._uow.track(payment)
        return True

    async def save(self, payment: Payment) -> None:
        if payment.version == payment.loaded_version:
            return  # nothing changed
        if payment.id not in self._uow.locked:
            raise AssertionError(f"payment {payment.id} saved without its row lock")
        if self.rows[payment.id].version != payment.loaded_version:
            raise ConcurrencyConflict(f"payment {payment.id} changed meanwhile")
        payment.mark_persisted()
        self.rows[payment.id] = stored(payment)

    async def unsettled(self, *, untouched_since: datetime, limit: int) -> list[uuid.UUID]:
        waiting = sorted(
            (p for p in self.rows.values() if _unsettled(p) and p.updated_at < untouched_since),
            key=lambda p: p.updated_at,
        )
        return [p.id for p in waiting[:limit]]

    def _load(self, payment: Payment, *, for_update: bool) -> Payment:
        if for_update:
            self._uow.locked.add(payment.id)
        return self._uow.track(copy.deepcopy(payment))


def _unsettled(payment: Payment) -> bool:
    return payment.status is PaymentStatus.PENDING or (
        payment.status is PaymentStatus.CAPTURED and payment.cancel_requested
    )


class FakePaymentsUnitOfWork(FakeUnitOfWork):
    """Payments and the inbox as tables; changes become visible only on commit, events land
    in ``outbox``. ``locked``: the payments whose rows this transaction has locked."""

    def __init__(self) -> None:
        super().__init__(integration_events)
        self.payments = FakePaymentRepository(self)
        self.locked: set[uuid.UUID] = set()

    @property
    def in_transaction(self) -> bool:
        return self._working is not None

    async def __aenter__(self) -> Self:
        """A new transaction holds no lock: the last one's ended with it."""
        await super().__aenter__()
        self.locked = set()
        return self

    async def delivered(self, consumer: str, message_id: uuid.UUID) -> bool:
        return (consumer, message_id) in self.table("inbox")

    async def first_delivery(self, consumer: str, message_id: uuid.UUID, type_: str) -> bool:
        inbox = self.table("inbox")
        if (consumer, message_id) in inbox:
            return False
        inbox[consumer, message_id] = type_
        return True

    def payment_of(self, order_id: uuid.UUID) -> Payment | None:
        """The order's committed payment."""
        rows: dict[uuid.UUID, Payment] = self.committed.get("payments", {})
        return next((p for p in rows.values() if p.order_id == order_id), None)

    @property
    def inbox(self) -> set[uuid.UUID]:
        """The message ids recorded as handled, committed."""
        return {message_id for _, message_id in self.committed.get("inbox", {})}


class FakePaymentsReadModel:
    """The read model over the fake's committed payments."""

    def __init__(self, uow: FakePaymentsUnitOfWork) -> None:
        self._uow = uow

    async def of_order(self, order_id: uuid.UUID) -> OrderPayment | None:
        payment = self._uow.payment_of(order_id)
        return None if payment is None else order_payment(payment)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """What the provider does with one charge call: whether it makes the charge (declined
    when ``decline_code`` is set), and whether its answer reaches the caller."""

    charges: bool
    answers: bool
    decline_code: str | None = None


CAPTURED = Reply(charges=True, answers=True)
TIMEOUT = Reply(charges=False, answers=False)  # nothing charged, no answer
LOST = Reply(charges=True, answers=False)  # charged, but the answer never came back


def declined(code: str) -> Reply:
    return Reply(charges=True, answers=True, decline_code=code)


class FakeGateway:
    """A provider that keeps one charge per idempotency key (a key seen before answers the
    first charge), one refund per key, and every call it was asked (``calls``: operation and
    key). The next charge calls meet the replies given to ``next_charges`` (then
    ``CAPTURED``); while ``down``, every call fails unanswered. It raises ``AssertionError``
    when called with a transaction open: the provider must be called outside any."""

    name = "fake"

    def __init__(self, *, in_transaction: Callable[[], bool]) -> None:
        self.charges: dict[str, Charge] = {}
        self.refunds: dict[str, str] = {}
        self.calls: list[tuple[str, str]] = []
        self.down = False
        self._replies: deque[Reply] = deque()
        self._in_transaction = in_transaction

    def next_charges(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def keys(self, operation: str) -> list[str]:
        return [key for called, key in self.calls if called == operation]

    async def charge(self, request: ChargeRequest) -> Charge:
        self._called("charge", request.key)
        reply = self._replies.popleft() if self._replies else CAPTURED
        if reply.charges and request.key not in self.charges:
            self.charges[request.key] = Charge(
                reference=f"ch_{len(self.charges) + 1}",
                status="declined" if reply.decline_code else "captured",
                decline_code=reply.decline_code,
            )
        if not reply.answers:
            raise GatewayUnavailable("fake provider timed out")
        return self.charges[request.key]

    async def find_charge(self, key: str) -> Charge | None:
        self._called("find_charge", key)
        return self.charges.get(key)

    async def refund(self, *, key: str, charge_reference: str, amount: Money) -> str:
        self._called("refund", key)
        if key not in self.refunds:
            captured = {c.reference for c in self.charges.values() if c.status == "captured"}
            if charge_reference not in captured:
                raise LookupError(f"no captured charge {charge_reference!r} to refund")
            self.refunds[key] = f"re_{len(self.refunds) + 1}"
        return self.refunds[key]

    def _called(self, operation: str, key: str) -> None:
        if self._in_transaction():
            raise AssertionError(f"the provider's {operation} was called inside a transaction")
        self.calls.append((operation, key))
        if self.down:
            raise GatewayUnavailable(f"fake provider is down ({operation})")


@dataclass(frozen=True, slots=True, kw_only=True)
class FakeDelivery:
    """The message an event came in, as the policies read it from the broker's envelope."""

    type: str
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)


def delivery(event: IntegrationEvent) -> FakeDelivery:
    """A new message carrying the event."""
    return FakeDelivery(type=event.wire_name)
