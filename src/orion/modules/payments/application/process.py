"""How a payment moves: the order's events and reconciliation drive one state machine.

The provider is called outside any transaction (a slow provider must not hold pooled
connections), with the payment's idempotency key, so a call repeated after a crash, a
redelivery or a lost answer is the same charge. Each outcome is then applied under the
payment's row lock; a move that no longer applies changes nothing.

A consumer's message is recorded in the inbox only once the payment has settled as far as
it can: a failure before that leaves the message on the retry ladder, to drive it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1, OrderCancelledV1
from orion.modules.payments.contracts.commands import Reconcile, Reconciled
from orion.modules.payments.domain.payment import Payment, Step
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money

from .events import integration_events
from .gateway import Charge, ChargeRequest, GatewayUnavailable, PaymentGateway
from .ports import PaymentsUnitOfWork

CONSUMER = "payments"
GAVE_UP = "provider_unavailable"
Outcome = Callable[[Payment, datetime], None]


class ChargeMayBeInFlight(GatewayUnavailable):
    """A cancelled payment's charge was sent too recently to know it never landed."""


class PaymentProcess:
    def __init__(
        self,
        *,
        uow: Callable[[], PaymentsUnitOfWork],
        gateway: PaymentGateway,
        clock: Clock,
        charge_window: timedelta,
    ) -> None:
        """``charge_window``: the longest a charge call may take, retries included."""
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._charge_window = charge_window

    async def on_order_awaiting_payment(
        self, event: OrderAwaitingPaymentV1, *, message_id: uuid.UUID, message_type: str
    ) -> None:
        async with self._uow() as uow:
            if await uow.delivered(CONSUMER, message_id):
                return
            payment = await uow.payments.of_order(event.aggregate_id, for_update=False)
            if payment is None:
                payment = Payment.open(
                    id=new_id(),
                    order_id=event.aggregate_id,
                    amount=Money(amount=event.total_amount, currency=event.currency),
                    token=event.payment_token,
                    provider=self._gateway.name,
                    now=self._clock.now(),
                )
                if not await uow.payments.add(payment):  # a twin delivery made it first
                    payment = await uow.payments.of_order(event.aggregate_id, for_update=False)
                    assert payment is not None
                await uow.commit()
        await self.advance(payment.id)
        await self._record_delivery(message_id, message_type)

    async def on_order_cancelled(
        self, event: OrderCancelledV1, *, message_id: uuid.UUID, message_type: str
    ) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.delivered(CONSUMER, message_id):
                return
            payment = await uow.payments.of_order(event.aggregate_id, for_update=True)
            if payment is None and event.previous_status == "pending":
                payment_id = None  # no payment was ever asked for
            elif payment is None:  # its payment request may still come: a tombstone
                tombstone = Payment.open(
                    id=new_id(),
                    order_id=event.aggregate_id,
                    amount=Money(amount=event.total_amount, currency=event.currency),
                    token="",
                    provider=self._gateway.name,
                    now=now,
                    cancelled=True,
                )
                if not await uow.payments.add(tombstone):
                    raise RuntimeError(f"order {event.aggregate_id}'s payment appeared; retry")
                payment_id = tombstone.id
            else:
                payment.request_cancel(now=now)
                await uow.payments.save(payment)
                payment_id = payment.id
            await uow.commit()
        if payment_id is not None:
            await self.advance(payment_id)
        await self._record_delivery(message_id, message_type)

    async def reconcile(self, command: Reconcile) -> Reconciled:
        now = self._clock.now()
        async with self._uow() as uow:
            ids = await uow.payments.unsettled(
                untouched_since=now - command.after, limit=command.limit
            )
        settled = 0
        for payment_id in ids:
            try:
                await self.advance(payment_id, give_up_before=now - command.give_up_after)
            except GatewayUnavailable:
                continue  # recorded as an attempt; the next pass tries again
            settled += 1
        return Reconciled(examined=len(ids), settled=settled, still_unsettled=len(ids) - settled)

    async def advance(
        self, payment_id: uuid.UUID, *, give_up_before: datetime | None = None
    ) -> None:
        """Asks the provider what the payment's state calls for, until nothing more is to
        be asked (a charge may be followed by a refund). Raises ``GatewayUnavailable``."""
        while True:
            async with self._uow() as uow:
                payment = await uow.payments.get(payment_id, for_update=True)
                step = payment.next_step
                if step is None:
                    return
                if step is Step.CHARGE:  # under the lock a cancellation also takes
                    payment.begin_charge(now=self._clock.now())
                    await uow.payments.save(payment)
                    await uow.commit()
            try:
                outcome = await self._ask(payment, step, give_up_before)
            except GatewayUnavailable as error:
                await self._apply(payment_id, _failed(step, error))
                raise
            await self._apply(payment_id, outcome)

    async def _ask(self, payment: Payment, step: Step, give_up_before: datetime | None) -> Outcome:
        if step is Step.REFUND:
            assert payment.provider_reference is not None
            reference = await self._gateway.refund(
                key=payment.refund_key,
                charge_reference=payment.provider_reference,
                amount=payment.amount,
            )
            return lambda p, now: p.refunded(reference, now=now)
        if step is Step.LOOK_UP or (give_up_before and payment.created_at < give_up_before):
            found = await self._gateway.find_charge(payment.key)
            if found is not None:
                return _settle(found)
            if step is Step.CHARGE:  # never answered for too long: give up
                return lambda p, now: p.declined(GAVE_UP, now=now)
            if payment.may_be_charging(now=self._clock.now(), window=self._charge_window):
                raise ChargeMayBeInFlight(f"payment {payment.id}'s charge may still land")
            return lambda p, now: p.void(now=now)
        charge = await self._gateway.charge(
            ChargeRequest(
                key=payment.key,
                amount=payment.amount,
                token=payment.token,
                description=f"order {payment.order_id}",
            )
        )
        return _settle(charge)

    async def _apply(self, payment_id: uuid.UUID, outcome: Outcome) -> None:
        async with self._uow() as uow:
            payment = await uow.payments.get(payment_id, for_update=True)
            outcome(payment, self._clock.now())
            await uow.payments.save(payment)
            uow.publish(*integration_events(payment))
            await uow.commit()

    async def _record_delivery(self, message_id: uuid.UUID, message_type: str) -> None:
        async with self._uow() as uow:
            await uow.first_delivery(CONSUMER, message_id, message_type)
            await uow.commit()


def _failed(step: Step, error: Exception) -> Outcome:
    detail = f"{type(error).__name__}: {error}"
    return lambda payment, now: payment.failed_attempt(step, detail, now=now)


def _settle(charge: Charge) -> Outcome:
    if charge.status == "captured":
        return lambda p, now: p.captured(charge.reference, now=now)
    return lambda p, now: p.declined(charge.decline_code or "declined", now=now)
