"""Ordering's reactions to other modules' events: the saga's steps on the order's side.

A reaction that comes too late for the order (stock reserved, or a payment captured, for an
order the customer cancelled meanwhile) changes nothing here: the catalog releases that
stock and the payments module refunds that payment on the cancellation.
"""

from __future__ import annotations

from orion.modules.catalog.contracts.events import StockReservationFailedV1, StockReservedV1
from orion.modules.ordering.domain.order import CancelReason, Order, OrderStatus
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentFailedV1
from orion.shared_kernel.application.clock import Clock

from .events import integration_events
from .ports import OrderingUnitOfWork


class AdvanceOrderOnStockEvents:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def on_stock_reserved(self, event: StockReservedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.aggregate_id, for_update=True)
        if order.status is not OrderStatus.PENDING:
            return
        order.stock_reserved(now=self._clock.now())
        await _save(order, uow)

    async def on_stock_reservation_failed(
        self, event: StockReservationFailedV1, uow: OrderingUnitOfWork
    ) -> None:
        order = await uow.orders.get(event.aggregate_id, for_update=True)
        if order.status is not OrderStatus.PENDING:
            return
        order.cancel(CancelReason(event.reason), now=self._clock.now())
        await _save(order, uow)


class AdvanceOrderOnPaymentEvents:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def on_payment_captured(self, event: PaymentCapturedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.order_id, for_update=True)
        if order.status is OrderStatus.AWAITING_PAYMENT:
            order.paid(now=self._clock.now())
            await _save(order, uow)

    async def on_payment_failed(self, event: PaymentFailedV1, uow: OrderingUnitOfWork) -> None:
        order = await uow.orders.get(event.order_id, for_update=True)
        if order.status is OrderStatus.AWAITING_PAYMENT:
            order.cancel(CancelReason.PAYMENT_DECLINED, now=self._clock.now())
            await _save(order, uow)


async def _save(order: Order, uow: OrderingUnitOfWork) -> None:
    await uow.orders.save(order)
    uow.publish(*integration_events(order))
