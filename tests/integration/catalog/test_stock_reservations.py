"""The catalog's side of the order saga on the real database: ordering's OrderPlaced and
OrderCancelled, delivered to the catalog's subscription as the broker would (ordering's own
outbox is not needed), reserve and release stock once, every line or none."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox, products, reservations
from orion.modules.catalog.application.commands import (
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.queries import GetProduct
from orion.modules.catalog.contracts.events import (
    StockReleasedV1,
    StockReservationFailedV1,
    StockReservedV1,
)
from orion.modules.ordering.contracts.events import OrderCancelledV1, OrderLineV1, OrderPlacedV1
from orion.shared_kernel.adapters.messaging.broker import Handle
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.sql.outbox import outbox_rows
from orion.shared_kernel.application.messages import IntegrationEvent

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ORDER_EVENT = {
    "aggregate_version": 1,
    "occurred_at": NOW,
    "number": "ORD-1",
    "customer_id": uuid.UUID(int=1),
    "customer_email": "ada@example.com",
    "customer_name": "Ada",
    "currency": "EUR",
    "total_amount": 1000,
}


@pytest.fixture
def handle(orion: Orion) -> Handle:
    by_queue = {
        subscription.queue: subscription for subscription in orion.subscriptions(["catalog"])
    }
    subscription = by_queue["catalog.ordering"]
    assert subscription.types == {OrderPlacedV1.wire_name, OrderCancelledV1.wire_name}
    return subscription.handle


def envelope(event: IntegrationEvent) -> Envelope:
    """The event as the broker hands it to a consumer: a new message each time."""
    return Envelope(
        message_id=uuid.uuid4(),
        type=event.wire_name,
        occurred_at=event.occurred_at,
        correlation_id=None,
        causation_id=None,
        traceparent=None,
        tracestate=None,
        aggregate_id=event.aggregate_id,
        aggregate_version=event.aggregate_version,
        payload=event.to_payload(),
        source="ordering",
    )


def order_placed(order_id: uuid.UUID, *lines: tuple[uuid.UUID, int]) -> OrderPlacedV1:
    return OrderPlacedV1(
        **ORDER_EVENT,
        aggregate_id=order_id,
        lines=[
            OrderLineV1(
                product_id=product_id,
                sku="SKU",
                name="Product",
                quantity=quantity,
                unit_price_amount=100,
            )
            for product_id, quantity in lines
        ],
    )


def placed(order_id: uuid.UUID, *lines: tuple[uuid.UUID, int]) -> Envelope:
    return envelope(order_placed(order_id, *lines))


def cancelled(order_id: uuid.UUID) -> Envelope:
    return envelope(
        OrderCancelledV1(
            **ORDER_EVENT,
            aggregate_id=order_id,
            reason="customer_request",
            previous_status="pending",
            refund_due=False,
        )
    )


async def product(orion: Orion, sku: str, stock: int) -> uuid.UUID:
    view = await orion.mediator.send(
        CreateProduct(
            sku=sku,
            name=sku,
            description="",
            category="C",
            price_amount=100,
            price_currency="EUR",
            stock=stock,
        )
    )
    return view.id


async def stock(orion: Orion, *product_ids: uuid.UUID) -> tuple[int, ...]:
    """Read from the table: deleted products too."""
    async with orion.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(products.c.id, products.c.stock).where(products.c.id.in_(product_ids))
        )
        on_hand = {row.id: row.stock for row in rows}
    return tuple(on_hand[product_id] for product_id in product_ids)


async def published(orion: Orion) -> list[IntegrationEvent]:
    """The stock reservation events in the catalog's outbox, decoded as a consumer would."""
    types = {t.wire_name: t for t in (StockReservedV1, StockReservationFailedV1, StockReleasedV1)}
    async with orion.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(outbox.c.type, outbox.c.payload, outbox.c.aggregate_version)
            .where(outbox.c.type.in_(types))
            .order_by(outbox.c.created_at, outbox.c.aggregate_version)
        )
    events: list[IntegrationEvent] = []
    for type_, payload, version in rows:
        event = types[type_].from_payload(payload)
        assert event.aggregate_version == version
        events.append(event)
    return events


async def reservation_status(orion: Orion, order_id: uuid.UUID) -> Any:
    async with orion.engine.connect() as connection:
        return await connection.scalar(
            sa.select(reservations.c.status).where(reservations.c.order_id == order_id)
        )


async def test_every_line_is_reserved_or_none(orion: Orion, handle: Handle) -> None:
    mug, cup = await product(orion, "MUG", 5), await product(orion, "CUP", 1)
    short, fits = uuid.uuid4(), uuid.uuid4()

    await handle(placed(short, (mug, 2), (cup, 2)))
    assert await stock(orion, mug, cup) == (5, 1)
    await handle(placed(fits, (mug, 2), (cup, 1)))
    assert await stock(orion, mug, cup) == (3, 0)

    failed, reserved = await published(orion)
    assert isinstance(failed, StockReservationFailedV1)
    assert (failed.aggregate_id, failed.aggregate_version) == (short, 1)
    assert (failed.reason, failed.product_ids) == ("out_of_stock", [cup])
    assert isinstance(reserved, StockReservedV1)
    assert (reserved.aggregate_id, reserved.aggregate_version) == (fits, 1)
    assert {(line.product_id, line.quantity) for line in reserved.lines} == {(mug, 2), (cup, 1)}
    assert await reservation_status(orion, short) == "failed"
    assert await reservation_status(orion, fits) == "reserved"
    # the product's version moves with its stock, so an admin's ETag stays honest
    view = await orion.mediator.ask(GetProduct(product_id=mug))
    assert view.version == 2


async def test_50_orders_at_once_for_10_units_reserve_exactly_10(
    orion: Orion, handle: Handle
) -> None:
    mug = await product(orion, "MUG", 10)
    orders = [uuid.uuid4() for _ in range(50)]

    await asyncio.gather(*(handle(placed(order, (mug, 1))) for order in orders))

    assert await stock(orion, mug) == (0,)
    events = await published(orion)
    reserved = [e for e in events if isinstance(e, StockReservedV1)]
    failed = [e for e in events if isinstance(e, StockReservationFailedV1)]
    assert (len(reserved), len(failed)) == (10, 40)
    assert {e.aggregate_id for e in events} == set(orders)
    assert all(e.reason == "out_of_stock" and e.product_ids == [mug] for e in failed)


async def test_a_message_delivered_again_or_an_order_placed_twice_reserves_once(
    orion: Orion, handle: Handle
) -> None:
    mug = await product(orion, "MUG", 5)
    order = uuid.uuid4()
    message = placed(order, (mug, 2))

    # the same message twice, and the same order in other messages, all at once
    await asyncio.gather(
        handle(message), handle(message), *(handle(placed(order, (mug, 2))) for _ in range(4))
    )
    await handle(message)  # and once more, later

    assert await stock(orion, mug) == (3,)
    assert [type(e) for e in await published(orion)] == [StockReservedV1]


async def test_cancel_releases_the_stock_once(orion: Orion, handle: Handle) -> None:
    mug, cup = await product(orion, "MUG", 5), await product(orion, "CUP", 1)
    order = uuid.uuid4()
    await handle(placed(order, (mug, 2), (cup, 1)))
    message = cancelled(order)

    await handle(message)
    await handle(message)
    await asyncio.gather(*(handle(cancelled(order)) for _ in range(3)))
    await handle(placed(order, (mug, 2), (cup, 1)))  # a late duplicate of the order

    assert await stock(orion, mug, cup) == (5, 1)
    reserved, released = await published(orion)
    assert isinstance(reserved, StockReservedV1)
    assert isinstance(released, StockReleasedV1)
    assert (released.aggregate_id, released.aggregate_version) == (order, 2)
    assert released.lines == reserved.lines
    assert await reservation_status(orion, order) == "released"
    view = await orion.mediator.ask(GetProduct(product_id=mug))
    assert view.version == 3


async def test_a_cancellation_that_comes_first_leaves_nothing_to_reserve(
    orion: Orion, handle: Handle
) -> None:
    mug = await product(orion, "MUG", 5)
    order = uuid.uuid4()

    await handle(cancelled(order))
    await handle(placed(order, (mug, 2)))

    assert await stock(orion, mug) == (5,)
    assert await published(orion) == []
    assert await reservation_status(orion, order) == "cancelled"


async def test_placed_and_cancelled_at_once_leave_the_stock_as_it_was(
    orion: Orion, handle: Handle
) -> None:
    mug = await product(orion, "MUG", 10)  # enough for all: none may fail for want of stock
    orders = [uuid.uuid4() for _ in range(10)]

    await asyncio.gather(
        *(
            handle(message)
            for order in orders
            for message in (placed(order, (mug, 1)), cancelled(order))
        )
    )

    assert await stock(orion, mug) == (10,)
    for order in orders:  # released, or cancelled before it was placed
        assert await reservation_status(orion, order) in {"released", "cancelled"}


async def test_cancelling_a_refused_order_publishes_nothing(orion: Orion, handle: Handle) -> None:
    mug = await product(orion, "MUG", 1)
    order = uuid.uuid4()

    await handle(placed(order, (mug, 2)))
    await handle(cancelled(order))

    assert await stock(orion, mug) == (1,)
    assert [type(e) for e in await published(orion)] == [StockReservationFailedV1]
    assert await reservation_status(orion, order) == "failed"


async def test_inactive_deleted_or_unknown_products_are_unavailable(
    orion: Orion, handle: Handle
) -> None:
    mug, inactive, deleted = (
        await product(orion, "MUG", 5),
        await product(orion, "OFF", 5),
        await product(orion, "GONE", 5),
    )
    await orion.mediator.send(UpdateProduct(product_id=inactive, expected_version=1, active=False))
    await orion.mediator.send(DeleteProduct(product_id=deleted))
    unknown = uuid.uuid4()

    await handle(placed(uuid.uuid4(), (mug, 1), (inactive, 1), (deleted, 1), (unknown, 1)))

    assert await stock(orion, mug, inactive, deleted) == (5, 5, 5)
    (failed,) = await published(orion)
    assert isinstance(failed, StockReservationFailedV1)
    assert failed.reason == "product_unavailable"
    assert set(failed.product_ids) == {inactive, deleted, unknown}


async def test_ordering_outbox_reaches_the_catalog_through_relay_and_inbox(orion: Orion) -> None:
    mug = await product(orion, "MUG", 5)
    await orion.start_consumers(["catalog"])
    async with orion.engine.begin() as connection:
        await connection.execute(
            orion.outboxes["ordering"].insert(), outbox_rows([order_placed(uuid.uuid4(), (mug, 2))])
        )

    relay = orion.relay()
    while await relay.relay_once():
        pass

    assert await stock(orion, mug) == (3,)
    assert [type(e) for e in await published(orion)] == [StockReservedV1]
