"""The analytics module's handlers: the overview, and the rebuild from other modules'
contracts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from orion.modules.analytics.contracts.commands import RebuildAnalytics, Rebuilt
from orion.modules.analytics.contracts.queries import GetOverview, Overview
from orion.modules.analytics.domain.period import Period
from orion.modules.catalog.contracts.queries import ListStockLevels, StockLevel
from orion.modules.identity.contracts.queries import ListCustomerRecords
from orion.modules.ordering.contracts.queries import ListOrderRecords, OrderRecord
from orion.modules.payments.contracts.queries import ListPaymentRecords, PaymentRecord
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.application.messages import Query

from .ports import AnalyticsReadModel, AnalyticsUnitOfWork, LineFact, OrderFact, PaymentFact

PAGE = 500


class GetOverviewHandler:
    def __init__(self, read_model: AnalyticsReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetOverview) -> Overview:
        Period(start=query.start, end=query.end)  # refuses a period it cannot answer for
        return await self._read_model.overview(query)


T = TypeVar("T")


class RebuildAnalyticsHandler:
    """Reads every page of the other modules' records first, outside any transaction (a
    transaction never waits on another module's reads), then writes them all as facts in one
    transaction that first forgets the old ones: run twice, it gives the same read model. Events
    handled meanwhile stay in the inbox and are not counted again."""

    def __init__(
        self, *, mediator: Mediator, unit_of_work: Callable[[], AnalyticsUnitOfWork]
    ) -> None:
        self._mediator = mediator
        self._unit_of_work = unit_of_work

    async def __call__(self, command: RebuildAnalytics) -> Rebuilt:
        orders = await self._all(
            lambda after: ListOrderRecords(after=after, limit=PAGE), lambda record: record.order_id
        )
        payments = await self._all(
            lambda after: ListPaymentRecords(after=after, limit=PAGE),
            lambda record: record.payment_id,
        )
        customers = await self._all(
            lambda after: ListCustomerRecords(after=after, limit=PAGE),
            lambda record: record.user_id,
        )
        products = await self._all(
            lambda after: ListStockLevels(after=after, limit=PAGE), lambda record: record.product_id
        )
        async with self._unit_of_work() as uow:
            await uow.facts.forget_everything()
            for order in orders:
                await _record_order(uow, order)
            for payment in payments:
                await _record_payment(uow, payment)
            for customer in customers:
                await uow.facts.customer_registered(customer.user_id, customer.registered_at)
            for product in products:
                await _record_product(uow, product)
            await uow.commit()
        return Rebuilt(
            orders=len(orders),
            payments=len(payments),
            customers=len(customers),
            products=len(products),
        )

    async def _all(
        self,
        page: Callable[[uuid.UUID | None], Query[list[T]]],
        key: Callable[[T], uuid.UUID],
    ) -> list[T]:
        found: list[T] = []
        after: uuid.UUID | None = None
        while batch := await self._mediator.ask(page(after)):
            found += batch
            after = key(batch[-1])
        return found


async def _record_order(uow: AnalyticsUnitOfWork, order: OrderRecord) -> None:
    fact = OrderFact(
        order_id=order.order_id,
        customer_id=order.customer_id,
        currency=order.currency,
        total_amount=order.total_amount,
    )
    lines = [LineFact.of(line) for line in order.lines]
    await uow.facts.order_placed(fact, lines, order.placed_at)
    for step in order.history:
        if step.status != "pending":  # the placement itself
            await uow.facts.order_moved(fact, step.status, step.at, reason=step.reason)


async def _record_payment(uow: AnalyticsUnitOfWork, payment: PaymentRecord) -> None:
    fact = PaymentFact(
        payment_id=payment.payment_id,
        order_id=payment.order_id,
        currency=payment.currency,
        amount=payment.amount,
    )
    if payment.captured_at is not None:
        await uow.facts.payment_settled(fact, "captured", payment.captured_at)
    if payment.failed_at is not None:
        await uow.facts.payment_settled(
            fact, "failed", payment.failed_at, reason=payment.failure_reason
        )
    if payment.refunded_at is not None:
        await uow.facts.payment_settled(fact, "refunded", payment.refunded_at)


async def _record_product(uow: AnalyticsUnitOfWork, product: StockLevel) -> None:
    await uow.facts.product_named(
        product.product_id, version=0, sku=product.sku, name=product.name, active=product.active
    )
    await uow.facts.stock_changed(product.product_id, product.stock)
