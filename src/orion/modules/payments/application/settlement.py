"""How a payment moves once it exists: the provider is asked what the payment's state calls
for (charge, look up, refund) until nothing more is to be asked. Every use case that drives
a payment (ordering's events, reconciliation) drives it through here, so all drive the same
state machine (``domain/payment.py``); ordering's events also keep their inbox record here,
written last.

The provider is called outside any transaction (a slow provider must not hold pooled
connections), with the payment's idempotency key, so a call repeated after a crash, a
redelivery or a lost answer is the same charge. Each outcome is then applied under the
payment's row lock, in a transaction of its own that also writes the events the payment
recorded; a move that no longer applies changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from orion.modules.payments.domain.payment import Payment, Step
from orion.shared_kernel.application.clock import Clock

from .gateway import Charge, ChargeRequest, GatewayUnavailable, PaymentGateway
from .ports import Delivery, PaymentsUnitOfWork

CONSUMER = "payments"
GAVE_UP = "provider_unavailable"
Outcome = Callable[[Payment, datetime], None]


class ChargeMayBeInFlight(GatewayUnavailable):
    """A cancelled payment's charge was sent too recently to know it never landed."""


class Settlement:
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
        self.provider = gateway.name

    async def advance(
        self, payment_id: uuid.UUID, *, give_up_before: datetime | None = None
    ) -> None:
        """Asks the provider what the payment's state calls for, until nothing more is to
        be asked (a charge may be followed by a refund). A payment made before
        ``give_up_before`` is looked up rather than charged again, and fails if the provider
        has no charge for it. Raises ``GatewayUnavailable``, once the failed attempt is
        recorded."""
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

    async def handle(
        self,
        delivery: Delivery,
        prepare: Callable[[PaymentsUnitOfWork], Awaitable[uuid.UUID | None]],
    ) -> None:
        """A message of ordering's, in three steps of their own: ``prepare`` makes or marks
        the payment in one transaction (skipped when the inbox has the message already) and
        names the payment to advance, if any; the payment is advanced as far as it can go; and
        the message is recorded in the inbox last, so that a failure before leaves it on the
        retry ladder, to drive the same payment (with the same key) again."""
        async with self._uow() as uow:
            if await uow.delivered(CONSUMER, delivery.message_id):
                return
            payment_id = await prepare(uow)
            await uow.commit()
        if payment_id is not None:
            await self.advance(payment_id)
        async with self._uow() as uow:
            await uow.first_delivery(CONSUMER, delivery.message_id, delivery.type)
            await uow.commit()

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
            await uow.commit()


def _failed(step: Step, error: Exception) -> Outcome:
    detail = f"{type(error).__name__}: {error}"
    return lambda payment, now: payment.failed_attempt(step, detail, now=now)


def _settle(charge: Charge) -> Outcome:
    if charge.status == "captured":
        return lambda p, now: p.captured(charge.reference, now=now)
    return lambda p, now: p.declined(charge.decline_code or "declined", now=now)
