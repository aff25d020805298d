"""Ordering's reactions to other modules' events: the saga's steps on the order's side.

Each runs in the transaction of ordering's inbox; the order's move is published by the unit
of work on commit (``events.py``). A reaction that comes too late for the order (stock
reserved, or a payment captured, for an order the customer cancelled meanwhile) changes
nothing here: the catalog releases that stock and the payments module refunds that payment
on the cancellation.
"""

from __future__ import annotations

from orion.modules.catalog.contracts.events import StockReservationFailedV1, StockReservedV1
from orion.modules.ordering.domain.order import CancelReason, OrderStatus
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentFailedV1
from orion.shared_kernel.application.clock import Clock

from .ports import OrderingUnitOfWork


class AwaitPaymentOnStockReserved:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: StockReservedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.aggregate_id, for_update=True)
        if order.status is OrderStatus.PENDING:
            order.stock_reserved(now=self._clock.now())
            await uow.orders.save(order)


class CancelOrderOnStockReservationFailed:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: StockReservationFailedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.aggregate_id, for_update=True)
        if order.status is OrderStatus.PENDING:
            order.cancel(CancelReason(event.reason), now=self._clock.now())
            await uow.orders.save(order)


class MarkOrderPaidOnPaymentCaptured:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: PaymentCapturedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.order_id, for_update=True)
        if order.status is OrderStatus.AWAITING_PAYMENT:
            order.paid(now=self._clock.now())
            await uow.orders.save(order)


class CancelOrderOnPaymentFailed:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: PaymentFailedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.order_id, for_update=True)
        if order.status is OrderStatus.AWAITING_PAYMENT:
            order.cancel(CancelReason.PAYMENT_DECLINED, now=self._clock.now())
            await uow.orders.save(order)
