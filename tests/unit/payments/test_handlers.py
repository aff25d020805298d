"""The payment's use cases against the in-memory unit of work, a scripted provider and a
frozen clock: ordering's events through the two policies, as the consumer hands them over,
and reconciliation and the order's payment through the mediator, registered as
``module.py`` registers them (neither with a unit of work).

Every test also holds two rules without saying so: the fake provider fails a test that calls
it inside a transaction, and the fake repository one that saves a payment without its row
lock (``tests/fakes/payments.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1, OrderCancelledV1
from orion.modules.payments.application.gateway import GatewayUnavailable
from orion.modules.payments.application.handlers import GetOrderPaymentHandler, ReconcileHandler
from orion.modules.payments.application.policies import (
    ChargeOnOrderAwaitingPayment,
    RefundOnOrderCancelled,
)
from orion.modules.payments.application.settlement import ChargeMayBeInFlight, Settlement
from orion.modules.payments.contracts.commands import Reconcile, Reconciled
from orion.modules.payments.contracts.events import (
    PaymentCapturedV1,
    PaymentFailedV1,
    PaymentRefundedV1,
)
from orion.modules.payments.contracts.queries import GetOrderPayment
from orion.modules.payments.domain.payment import Payment, PaymentStatus
from orion.shared_kernel.adapters.mediator import InProcessMediator
from tests.fakes.clock import FrozenClock
from tests.fakes.payments import (
    LOST,
    TIMEOUT,
    FakeDelivery,
    FakeGateway,
    FakePaymentsReadModel,
    FakePaymentsUnitOfWork,
    Reply,
    declined,
    delivery,
)

CHARGE_WINDOW = timedelta(seconds=60)
RECONCILE_AFTER = timedelta(seconds=60)
GIVE_UP_AFTER = timedelta(hours=1)
TOTAL = 2_500


@dataclass
class Payments:
    uow: FakePaymentsUnitOfWork
    gateway: FakeGateway
    clock: FrozenClock
    mediator: InProcessMediator
    charge: ChargeOnOrderAwaitingPayment
    refund: RefundOnOrderCancelled
    order_id: uuid.UUID

    def awaiting(self) -> OrderAwaitingPaymentV1:
        return OrderAwaitingPaymentV1(payment_token="tok_visa", **self._about())

    def cancelled(self, previous_status: str = "paid") -> OrderCancelledV1:
        return OrderCancelledV1(
            reason="customer_request",
            previous_status=previous_status,
            refund_due=previous_status == "paid",
            **self._about(),
        )

    async def deliver(
        self, event: OrderAwaitingPaymentV1 | OrderCancelledV1, message: FakeDelivery
    ) -> None:
        """What the payments consumer does with a message carrying the event."""
        if isinstance(event, OrderAwaitingPaymentV1):
            await self.charge(event, message)
        else:
            await self.refund(event, message)

    async def reconcile(self) -> Reconciled:
        return await self.mediator.send(
            Reconcile(after=RECONCILE_AFTER, give_up_after=GIVE_UP_AFTER)
        )

    @property
    def payment(self) -> Payment:
        payment = self.uow.payment_of(self.order_id)
        assert payment is not None
        return payment

    def published_about(self) -> dict[str, Any]:
        """What every event of the payment says of it, as it is committed now."""
        payment = self.payment
        return {
            "aggregate_id": payment.id,
            "aggregate_version": payment.version,
            "occurred_at": self.clock.now(),
            "order_id": self.order_id,
            "amount": TOTAL,
            "currency": "EUR",
        }

    def outcomes(self) -> list[str]:
        return [attempt.outcome for attempt in self.payment.attempts]

    def _about(self) -> dict[str, object]:
        return {
            "aggregate_id": self.order_id,
            "aggregate_version": 2,
            "occurred_at": self.clock.now(),
            "number": "ORN-000001",
            "customer_id": uuid.uuid4(),
            "customer_email": "ada@example.com",
            "customer_name": "Ada",
            "currency": "EUR",
            "total_amount": TOTAL,
        }


@pytest.fixture
def payments() -> Payments:
    uow = FakePaymentsUnitOfWork()
    gateway = FakeGateway(in_transaction=lambda: uow.in_transaction)
    clock = FrozenClock()
    settlement = Settlement(uow=uow, gateway=gateway, clock=clock, charge_window=CHARGE_WINDOW)
    mediator = InProcessMediator()
    mediator.register(Reconcile, ReconcileHandler(uow=uow, settlement=settlement, clock=clock))
    mediator.register(GetOrderPayment, GetOrderPaymentHandler(FakePaymentsReadModel(uow)))
    return Payments(
        uow=uow,
        gateway=gateway,
        clock=clock,
        mediator=mediator,
        charge=ChargeOnOrderAwaitingPayment(settlement=settlement, clock=clock),
        refund=RefundOnOrderCancelled(settlement=settlement, clock=clock),
        order_id=uuid.uuid4(),
    )


async def failed_charge(payments: Payments, reply: Reply) -> FakeDelivery:
    """An order awaiting payment whose charge meets ``reply``: the error leaves the policy
    (the message goes down the retry ladder)."""
    payments.gateway.next_charges(reply)
    event = payments.awaiting()
    message = delivery(event)
    with pytest.raises(GatewayUnavailable):
        await payments.deliver(event, message)
    return message


# --- charge -------------------------------------------------------------------------------


async def test_a_captured_charge_publishes_payment_captured_and_records_the_message(
    payments: Payments,
) -> None:
    event = payments.awaiting()
    message = delivery(event)

    await payments.deliver(event, message)

    payment = payments.payment
    assert payment.status is PaymentStatus.CAPTURED
    assert (payment.amount.amount, payment.provider) == (TOTAL, "fake")
    assert payments.gateway.keys("charge") == [payment.key]
    assert payments.outcomes() == ["captured"]
    assert payments.uow.outbox == [
        PaymentCapturedV1(
            provider_reference=payments.gateway.charges[payment.key].reference,
            **payments.published_about(),
        )
    ]
    assert payments.uow.inbox == {message.message_id}


async def test_a_declined_charge_publishes_payment_failed_with_the_decline_code(
    payments: Payments,
) -> None:
    payments.gateway.next_charges(declined("insufficient_funds"))

    await payments.deliver(event := payments.awaiting(), delivery(event))

    payment = payments.payment
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "insufficient_funds")
    assert [type(e) for e in payments.uow.outbox] == [PaymentFailedV1]
    failed = payments.uow.outbox[0]
    assert isinstance(failed, PaymentFailedV1)
    assert (failed.reason, failed.order_id, failed.amount) == (
        "insufficient_funds",
        payments.order_id,
        TOTAL,
    )
    assert len(payments.gateway.keys("charge")) == 1  # a decline is an answer: not retried


@pytest.mark.parametrize("reply", [TIMEOUT, LOST], ids=["nothing-charged", "answer-lost"])
async def test_a_failed_charge_is_redelivered_and_charged_once_with_the_same_key(
    payments: Payments, reply: Reply
) -> None:
    message = await failed_charge(payments, reply)

    assert payments.payment.status is PaymentStatus.PENDING
    assert payments.outcomes() == ["error"]
    assert payments.uow.inbox == set()  # not settled: the message stays on the ladder
    assert payments.uow.outbox == []

    await payments.deliver(payments.awaiting(), message)  # the ladder delivers it again

    key = payments.payment.key
    assert payments.gateway.keys("charge") == [key, key]
    assert list(payments.gateway.charges) == [key]  # one charge at the provider
    assert payments.payment.status is PaymentStatus.CAPTURED
    assert [type(e) for e in payments.uow.outbox] == [PaymentCapturedV1]
    assert payments.uow.inbox == {message.message_id}


async def test_redelivered_messages_change_nothing(payments: Payments) -> None:
    awaiting, cancelled = payments.awaiting(), payments.cancelled()
    messages = [(awaiting, delivery(awaiting)), (cancelled, delivery(cancelled))]
    for event, message in messages:
        await payments.deliver(event, message)
    calls, outbox = list(payments.gateway.calls), list(payments.uow.outbox)
    commits, version = payments.uow.commits, payments.payment.version

    for event, message in messages:
        await payments.deliver(event, message)

    assert payments.gateway.calls == calls
    assert payments.uow.outbox == outbox
    assert (payments.uow.commits, payments.payment.version) == (commits, version)
    assert payments.outcomes() == ["captured", "refunded"]


async def test_the_same_order_awaiting_payment_twice_is_charged_once(payments: Payments) -> None:
    first, second = payments.awaiting(), payments.awaiting()  # two messages, one order

    await payments.deliver(first, one := delivery(first))
    await payments.deliver(second, other := delivery(second))

    assert len(payments.gateway.keys("charge")) == 1
    assert [type(e) for e in payments.uow.outbox] == [PaymentCapturedV1]
    assert payments.uow.inbox == {one.message_id, other.message_id}


# --- cancel -------------------------------------------------------------------------------


async def test_cancelled_before_its_payment_request_the_order_is_never_charged(
    payments: Payments,
) -> None:
    await payments.deliver(payments.cancelled("awaiting_payment"), delivery(payments.cancelled()))
    assert payments.payment.status is PaymentStatus.VOIDED  # a tombstone

    await payments.deliver(event := payments.awaiting(), delivery(event))

    assert payments.gateway.calls == []
    assert payments.payment.status is PaymentStatus.VOIDED
    assert payments.uow.outbox == []
    assert len(payments.uow.inbox) == 2


async def test_cancelled_while_pending_no_payment_is_made(payments: Payments) -> None:
    cancelled = payments.cancelled("pending")  # its payment was never asked for
    message = delivery(cancelled)

    await payments.deliver(cancelled, message)

    assert payments.uow.payment_of(payments.order_id) is None
    assert payments.uow.inbox == {message.message_id}


async def test_cancelled_after_capture_the_payment_is_refunded_once(payments: Payments) -> None:
    await payments.deliver(event := payments.awaiting(), delivery(event))

    await payments.deliver(payments.cancelled(), delivery(payments.cancelled()))
    await payments.deliver(payments.cancelled(), delivery(payments.cancelled()))  # another

    payment = payments.payment
    assert payment.status is PaymentStatus.REFUNDED
    assert payments.gateway.keys("refund") == [payment.refund_key]
    assert payments.uow.outbox[1:] == [
        PaymentRefundedV1(
            provider_reference=payments.gateway.charges[payment.key].reference,
            refund_reference=payments.gateway.refunds[payment.refund_key],
            **payments.published_about(),
        )
    ]


async def test_cancelled_while_its_charge_may_be_in_flight_it_waits_then_is_voided(
    payments: Payments,
) -> None:
    await failed_charge(payments, TIMEOUT)
    cancelled = payments.cancelled("awaiting_payment")
    message = delivery(cancelled)

    with pytest.raises(ChargeMayBeInFlight):
        await payments.deliver(cancelled, message)
    assert payments.payment.status is PaymentStatus.PENDING
    assert payments.uow.inbox == set()

    payments.clock.advance(seconds=CHARGE_WINDOW.total_seconds() + 1)
    await payments.deliver(cancelled, message)

    key = payments.payment.key
    assert payments.gateway.keys("find_charge") == [key, key]
    assert payments.gateway.keys("charge") == [key]  # never charged again once cancelled
    assert payments.payment.status is PaymentStatus.VOIDED
    assert payments.outcomes() == ["error", "error", "not_found"]
    assert payments.uow.outbox == []
    assert payments.uow.inbox == {message.message_id}


async def test_cancelled_after_a_lost_answer_the_charge_is_found_and_refunded(
    payments: Payments,
) -> None:
    await failed_charge(payments, LOST)

    await payments.deliver(payments.cancelled("awaiting_payment"), delivery(payments.cancelled()))

    payment = payments.payment
    assert payments.gateway.keys("find_charge") == [payment.key]
    assert payments.gateway.keys("refund") == [payment.refund_key]
    assert payment.status is PaymentStatus.REFUNDED
    assert [type(e) for e in payments.uow.outbox] == [PaymentCapturedV1, PaymentRefundedV1]


# --- reconcile ----------------------------------------------------------------------------


async def test_reconciliation_charges_again_with_the_same_key_once_the_payment_is_quiet(
    payments: Payments,
) -> None:
    await failed_charge(payments, TIMEOUT)

    payments.clock.advance(seconds=RECONCILE_AFTER.total_seconds() / 2)
    assert await payments.reconcile() == Reconciled(examined=0, settled=0, still_unsettled=0)
    payments.clock.advance(seconds=RECONCILE_AFTER.total_seconds())
    assert await payments.reconcile() == Reconciled(examined=1, settled=1, still_unsettled=0)

    key = payments.payment.key
    assert payments.gateway.keys("charge") == [key, key]
    assert payments.payment.status is PaymentStatus.CAPTURED
    assert [type(e) for e in payments.uow.outbox] == [PaymentCapturedV1]


@pytest.mark.parametrize(
    ("reply", "status", "published"),
    [
        (LOST, PaymentStatus.CAPTURED, PaymentCapturedV1),
        (TIMEOUT, PaymentStatus.FAILED, PaymentFailedV1),
    ],
    ids=["charge-found", "nothing-found"],
)
async def test_reconciliation_looks_up_a_payment_never_answered_and_gives_up_if_not_found(
    payments: Payments, reply: Reply, status: PaymentStatus, published: type
) -> None:
    await failed_charge(payments, reply)
    payments.clock.advance(seconds=GIVE_UP_AFTER.total_seconds() + 1)

    assert await payments.reconcile() == Reconciled(examined=1, settled=1, still_unsettled=0)

    payment = payments.payment
    assert payments.gateway.keys("charge") == [payment.key]  # looked up, not charged again
    assert payments.gateway.keys("find_charge") == [payment.key]
    assert payment.status is status
    assert [type(e) for e in payments.uow.outbox] == [published]
    if status is PaymentStatus.FAILED:
        assert payment.failure_reason == "provider_unavailable"


async def test_reconciliation_counts_what_the_provider_still_cannot_answer(
    payments: Payments,
) -> None:
    await failed_charge(payments, TIMEOUT)
    payments.gateway.down = True
    payments.clock.advance(seconds=RECONCILE_AFTER.total_seconds() + 1)

    assert await payments.reconcile() == Reconciled(examined=1, settled=0, still_unsettled=1)

    assert payments.payment.status is PaymentStatus.PENDING
    assert payments.outcomes() == ["error", "error"]  # recorded: the next pass tries again


# --- the order's payment ------------------------------------------------------------------


async def test_the_order_payment_is_read_with_its_attempts(payments: Payments) -> None:
    assert await payments.mediator.ask(GetOrderPayment(order_id=payments.order_id)) is None
    await failed_charge(payments, TIMEOUT)
    await payments.deliver(event := payments.awaiting(), delivery(event))

    seen = await payments.mediator.ask(GetOrderPayment(order_id=payments.order_id))

    assert seen is not None
    assert (seen.payment_id, seen.status, seen.amount, seen.currency) == (
        payments.payment.id,
        "captured",
        TOTAL,
        "EUR",
    )
    assert [(a.step, a.outcome) for a in seen.attempts] == [
        ("charge", "error"),
        ("charge", "captured"),
    ]
