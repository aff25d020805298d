"""Reactions to other modules' events, one class per reaction: each records what the event
says as facts, in the consumer's inbox transaction (so a redelivery is dropped before it
counts twice)."""

from __future__ import annotations

from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductUpdatedV1,
    StockAdjustedV1,
    StockReleasedV1,
    StockReservedV1,
)
from orion.modules.identity.contracts.events import UserRegisteredV1
from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderDeliveredV1,
    OrderEventV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.modules.payments.contracts.events import (
    PaymentCapturedV1,
    PaymentEventV1,
    PaymentFailedV1,
    PaymentRefundedV1,
)

from .ports import AnalyticsUnitOfWork, LineFact, OrderFact, PaymentFact


def order_fact(event: OrderEventV1) -> OrderFact:
    return OrderFact(
        order_id=event.aggregate_id,
        customer_id=event.customer_id,
        currency=event.currency,
        total_amount=event.total_amount,
    )


def payment_fact(event: PaymentEventV1) -> PaymentFact:
    return PaymentFact(
        payment_id=event.aggregate_id,
        order_id=event.order_id,
        currency=event.currency,
        amount=event.amount,
    )


class RecordOrderOnOrderPlaced:
    async def __call__(self, event: OrderPlacedV1, uow: AnalyticsUnitOfWork) -> None:
        lines = [LineFact.of(line) for line in event.lines]
        await uow.facts.order_placed(order_fact(event), lines, event.occurred_at)


class RecordMoveOnOrderMoved:
    """An order's step (awaiting payment, paid, shipped, delivered): when it was taken."""

    def __init__(self, status: str) -> None:
        self._status = status

    async def __call__(
        self,
        event: OrderAwaitingPaymentV1 | OrderPaidV1 | OrderShippedV1 | OrderDeliveredV1,
        uow: AnalyticsUnitOfWork,
    ) -> None:
        await uow.facts.order_moved(order_fact(event), self._status, event.occurred_at)


class RecordCancellationOnOrderCancelled:
    async def __call__(self, event: OrderCancelledV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.order_moved(
            order_fact(event), "cancelled", event.occurred_at, reason=event.reason
        )


class RecordPaymentOnPaymentCaptured:
    async def __call__(self, event: PaymentCapturedV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.payment_settled(payment_fact(event), "captured", event.occurred_at)


class RecordDeclineOnPaymentFailed:
    async def __call__(self, event: PaymentFailedV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.payment_settled(
            payment_fact(event), "failed", event.occurred_at, reason=event.reason
        )


class RecordRefundOnPaymentRefunded:
    async def __call__(self, event: PaymentRefundedV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.payment_settled(payment_fact(event), "refunded", event.occurred_at)


class RecordCustomerOnUserRegistered:
    async def __call__(self, event: UserRegisteredV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.customer_registered(event.aggregate_id, event.occurred_at)


async def _named(event: ProductCreatedV1 | ProductUpdatedV1, uow: AnalyticsUnitOfWork) -> None:
    await uow.facts.product_named(
        event.aggregate_id,
        version=event.aggregate_version,
        sku=event.sku,
        name=event.name,
        active=event.active,
    )


class RecordProductOnProductCreated:
    """Its name, and its first stock as a change from nothing."""

    async def __call__(self, event: ProductCreatedV1, uow: AnalyticsUnitOfWork) -> None:
        await _named(event, uow)
        await uow.facts.stock_changed(event.aggregate_id, event.stock)


class RecordProductOnProductUpdated:
    async def __call__(self, event: ProductUpdatedV1, uow: AnalyticsUnitOfWork) -> None:
        await _named(event, uow)


class RecordDeletionOnProductDeleted:
    async def __call__(self, event: ProductDeletedV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.product_deleted(event.aggregate_id, version=event.aggregate_version)


class RecordStockOnStockAdjusted:
    async def __call__(self, event: StockAdjustedV1, uow: AnalyticsUnitOfWork) -> None:
        await uow.facts.stock_changed(event.aggregate_id, event.delta)


class RecordStockOnStockReserved:
    """A reservation takes its lines off the stock on hand; a release gives them back."""

    async def __call__(self, event: StockReservedV1, uow: AnalyticsUnitOfWork) -> None:
        for line in event.lines:
            await uow.facts.stock_changed(line.product_id, -line.quantity)


class RecordStockOnStockReleased:
    async def __call__(self, event: StockReleasedV1, uow: AnalyticsUnitOfWork) -> None:
        for line in event.lines:
            await uow.facts.stock_changed(line.product_id, line.quantity)
