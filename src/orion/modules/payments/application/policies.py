"""Payments' side of the order saga: an order awaiting payment is charged; a cancelled one is
refunded, voided, or (its payment request still to come) left a tombstone.

Unlike other modules' policies, neither runs in one inbox transaction, so neither is
registered with a unit of work: the provider is called between transactions, outside any
(ADR 11). Each runs in several short transactions on purpose, through
``Settlement.handle``: one to make or mark the payment, the settlement's around each provider
call, and the inbox record last, once the payment has settled as far as it can.
"""

from __future__ import annotations

import uuid

from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1, OrderCancelledV1
from orion.modules.payments.domain.payment import Payment
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money

from .ports import Delivery, PaymentsUnitOfWork
from .settlement import Settlement


class ChargeOnOrderAwaitingPayment:
    """Makes the order's one payment (a twin delivery may have made it) and charges it."""

    def __init__(self, *, settlement: Settlement, clock: Clock) -> None:
        self._settlement = settlement
        self._clock = clock

    async def __call__(self, event: OrderAwaitingPaymentV1, delivery: Delivery) -> None:
        async def payment_of_order(uow: PaymentsUnitOfWork) -> uuid.UUID:
            payment = await uow.payments.of_order(event.aggregate_id, for_update=False)
            if payment is not None:
                return payment.id
            payment = Payment.open(
                id=new_id(),
                order_id=event.aggregate_id,
                amount=Money(amount=event.total_amount, currency=event.currency),
                token=event.payment_token,
                provider=self._settlement.provider,
                now=self._clock.now(),
            )
            if not await uow.payments.add(payment):  # a twin delivery made it first
                twin = await uow.payments.of_order(event.aggregate_id, for_update=False)
                assert twin is not None
                return twin.id
            return payment.id

        await self._settlement.handle(delivery, payment_of_order)


class RefundOnOrderCancelled:
    """Nothing more is charged for a cancelled order, and what was taken goes back: a
    captured payment is refunded, a pending one looked up and voided (or, charged after all,
    refunded), and an order whose payment request has not come yet gets a tombstone, so that
    the request charges nothing."""

    def __init__(self, *, settlement: Settlement, clock: Clock) -> None:
        self._settlement = settlement
        self._clock = clock

    async def __call__(self, event: OrderCancelledV1, delivery: Delivery) -> None:
        async def cancel_payment(uow: PaymentsUnitOfWork) -> uuid.UUID | None:
            now = self._clock.now()
            payment = await uow.payments.of_order(event.aggregate_id, for_update=True)
            if payment is not None:
                payment.request_cancel(now=now)
                await uow.payments.save(payment)
                return payment.id
            if event.previous_status == "pending":
                return None  # no payment was ever asked for
            tombstone = Payment.open(  # its payment request may still come
                id=new_id(),
                order_id=event.aggregate_id,
                amount=Money(amount=event.total_amount, currency=event.currency),
                token="",
                provider=self._settlement.provider,
                now=now,
                cancelled=True,
            )
            if not await uow.payments.add(tombstone):
                raise RuntimeError(f"order {event.aggregate_id}'s payment appeared; retry")
            return tombstone.id

        await self._settlement.handle(delivery, cancel_payment)
