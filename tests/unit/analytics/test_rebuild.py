"""The rebuild records, from the other modules' contracts queries, the facts their events
record: one way to write the read model, whichever fed it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from orion.modules.analytics.application import policies
from orion.modules.analytics.application.handlers import RebuildAnalyticsHandler
from orion.modules.analytics.contracts.commands import RebuildAnalytics
from orion.modules.catalog.contracts.queries import ListStockLevels, StockLevel
from orion.modules.identity.contracts.events import UserRegisteredV1
from orion.modules.identity.contracts.queries import CustomerRecord, ListCustomerRecords
from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderLineV1,
    OrderPaidV1,
    OrderPlacedV1,
)
from orion.modules.ordering.contracts.queries import (
    ListOrderRecords,
    OrderRecord,
    OrderRecordLine,
    OrderRecordStep,
)
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentRefundedV1
from orion.modules.payments.contracts.queries import ListPaymentRecords, PaymentRecord
from orion.shared_kernel.adapters.mediator import InProcessMediator
from tests.fakes.analytics import FakeAnalyticsUnitOfWork

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
ORDER, CUSTOMER, PAYMENT, PRODUCT = (uuid.uuid4() for _ in range(4))
ABOUT: dict[str, Any] = {
    "aggregate_id": ORDER,
    "number": "ORN-000001",
    "customer_id": CUSTOMER,
    "customer_email": "ada@example.com",
    "customer_name": "Ada",
    "currency": "EUR",
    "total_amount": 2_500,
}
LINE = {
    "product_id": PRODUCT,
    "sku": "PEN",
    "name": "Pen",
    "quantity": 2,
    "unit_price_amount": 1_250,
}
PAID = {"aggregate_id": PAYMENT, "order_id": ORDER, "amount": 2_500, "currency": "EUR"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


EVENTS: list[tuple[Any, Any]] = [
    (
        policies.RecordOrderOnOrderPlaced(),
        OrderPlacedV1(aggregate_version=1, occurred_at=at(0), lines=[OrderLineV1(**LINE)], **ABOUT),
    ),
    (
        policies.RecordMoveOnOrderMoved("awaiting_payment"),
        OrderAwaitingPaymentV1(aggregate_version=2, occurred_at=at(1), payment_token="t", **ABOUT),
    ),
    (
        policies.RecordMoveOnOrderMoved("paid"),
        OrderPaidV1(aggregate_version=3, occurred_at=at(2), **ABOUT),
    ),
    (
        policies.RecordCancellationOnOrderCancelled(),
        OrderCancelledV1(
            aggregate_version=4,
            occurred_at=at(3),
            reason="admin_request",
            previous_status="paid",
            refund_due=True,
            **ABOUT,
        ),
    ),
    (
        policies.RecordPaymentOnPaymentCaptured(),
        PaymentCapturedV1(
            aggregate_version=2, occurred_at=at(2), provider_reference="ch_1", **PAID
        ),
    ),
    (
        policies.RecordRefundOnPaymentRefunded(),
        PaymentRefundedV1(
            aggregate_version=3,
            occurred_at=at(4),
            provider_reference="ch_1",
            refund_reference="re_1",
            **PAID,
        ),
    ),
    (
        policies.RecordCustomerOnUserRegistered(),
        UserRegisteredV1(
            aggregate_id=CUSTOMER,
            aggregate_version=1,
            occurred_at=at(-60),
            email="ada@example.com",
            full_name="Ada",
            verification_token="v",
        ),
    ),
]


def contracts(mediator: InProcessMediator) -> None:
    """The other modules' answers: one page, then an empty one."""

    def answering(*records: Any) -> Any:
        async def handler(query: Any) -> list[Any]:
            if query.after is None:
                return list(records)
            return []

        return handler

    mediator.register(
        ListOrderRecords,
        answering(
            OrderRecord(
                order_id=ORDER,
                customer_id=CUSTOMER,
                currency="EUR",
                total_amount=2_500,
                placed_at=at(0),
                lines=[OrderRecordLine(**LINE)],
                history=[
                    OrderRecordStep(status="pending", at=at(0), reason=None),
                    OrderRecordStep(status="awaiting_payment", at=at(1), reason=None),
                    OrderRecordStep(status="paid", at=at(2), reason=None),
                    OrderRecordStep(status="cancelled", at=at(3), reason="admin_request"),
                ],
            )
        ),
    )
    mediator.register(
        ListPaymentRecords,
        answering(
            PaymentRecord(
                payment_id=PAYMENT,
                order_id=ORDER,
                amount=2_500,
                currency="EUR",
                failure_reason=None,
                captured_at=at(2),
                failed_at=None,
                refunded_at=at(4),
            )
        ),
    )
    mediator.register(
        ListCustomerRecords, answering(CustomerRecord(user_id=CUSTOMER, registered_at=at(-60)))
    )
    mediator.register(
        ListStockLevels,
        answering(StockLevel(product_id=PRODUCT, sku="PEN", name="Pen", stock=7, active=True)),
    )


async def test_the_rebuild_records_what_the_events_record() -> None:
    fed = FakeAnalyticsUnitOfWork()
    for policy, event in EVENTS:
        async with fed as uow:
            await policy(event, uow)
            await uow.commit()
    mediator = InProcessMediator()
    contracts(mediator)
    rebuilt = FakeAnalyticsUnitOfWork()
    handler = RebuildAnalyticsHandler(mediator=mediator, unit_of_work=rebuilt)

    counted = await handler(RebuildAnalytics())

    assert (counted.orders, counted.payments, counted.customers, counted.products) == (1, 1, 1, 1)
    products = [call for call in rebuilt.recorded if call[0].startswith(("product", "stock"))]
    assert sorted(map(repr, fed.recorded)) == sorted(
        repr(call) for call in rebuilt.recorded if call not in products
    )
    assert products == [
        ("product_named", PRODUCT, 0, "PEN", "Pen", True),
        ("stock_changed", PRODUCT, 7),
    ]


async def test_a_second_rebuild_forgets_what_the_first_recorded() -> None:
    mediator = InProcessMediator()
    contracts(mediator)
    uow = FakeAnalyticsUnitOfWork()
    handler = RebuildAnalyticsHandler(mediator=mediator, unit_of_work=uow)
    await handler(RebuildAnalytics())
    first = uow.recorded
    await handler(RebuildAnalytics())
    assert uow.recorded == first
