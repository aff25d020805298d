"""An order's moves after checkout, by its customer, an admin and the saga's policies, with
the in-memory unit of work: each move commits once with its event, each refusal commits
nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from orion.modules.catalog.contracts.events import StockReservationFailedV1, StockReservedV1
from orion.modules.ordering.application.commands import CancelOrder, DeliverOrder, ShipOrder
from orion.modules.ordering.application.queries import GetOrder
from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderDeliveredV1,
    OrderPaidV1,
    OrderShippedV1,
)
from orion.modules.ordering.domain.errors import IllegalTransition, OrderNotFound
from orion.modules.ordering.domain.order import OrderStatus
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentFailedV1
from orion.shared_kernel.adapters.messaging.consumer import Policy
from tests.fakes.ordering import FakeOrdering
from tests.unit.ordering.conftest import place_order

AT = datetime(2026, 1, 2, tzinfo=UTC)


async def placed(shop: FakeOrdering) -> tuple[uuid.UUID, uuid.UUID]:
    """A pending order of a new customer's: (customer, order)."""
    ada = shop.customer()
    await shop.put(ada, shop.product(price=500), quantity=2)
    order = await shop.checkout(place_order(ada))
    shop.forget_history()
    return ada, order.order.id


async def react(shop: FakeOrdering, policy: Policy, event: Any) -> None:
    """What ordering's inbox does with a delivered event: the policy, in one transaction."""
    async with shop.uow as uow:
        await policy(event, uow)
        await uow.commit()


def stock_reserved(order_id: uuid.UUID) -> StockReservedV1:
    return StockReservedV1(aggregate_id=order_id, aggregate_version=1, occurred_at=AT, lines=[])


def captured(order_id: uuid.UUID) -> PaymentCapturedV1:
    return PaymentCapturedV1(
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        occurred_at=AT,
        order_id=order_id,
        amount=1_000,
        currency="EUR",
        provider_reference="ch_1",
    )


async def paid(shop: FakeOrdering) -> tuple[uuid.UUID, uuid.UUID]:
    ada, order_id = await placed(shop)
    await react(shop, shop.container.await_payment(), stock_reserved(order_id))
    await react(shop, shop.container.mark_paid(), captured(order_id))
    shop.forget_history()
    return ada, order_id


async def test_a_customer_cancels_their_order_and_it_is_published_once(shop: FakeOrdering) -> None:
    ada, order_id = await placed(shop)

    view = await shop.mediator.send(CancelOrder(order_id=order_id, customer_id=ada))

    assert view.status is OrderStatus.CANCELLED
    assert shop.uow.commits == 1
    order = shop.uow.order(order_id)
    assert order.status is OrderStatus.CANCELLED
    assert order.history[-1].reason == "customer_request"
    (event,) = shop.uow.outbox
    assert isinstance(event, OrderCancelledV1)
    assert (event.reason, event.previous_status, event.refund_due) == (
        "customer_request",
        "pending",
        False,
    )


async def test_an_admin_cancels_a_paid_order_which_is_then_due_a_refund(shop: FakeOrdering) -> None:
    _, order_id = await paid(shop)

    await shop.mediator.send(CancelOrder(order_id=order_id, customer_id=None))

    assert shop.uow.order(order_id).history[-1].reason == "admin_request"
    (event,) = shop.uow.outbox
    assert isinstance(event, OrderCancelledV1)
    assert (event.previous_status, event.refund_due) == ("paid", True)


async def test_another_customers_order_is_not_found_and_left_alone(shop: FakeOrdering) -> None:
    ada, order_id = await placed(shop)
    bob = shop.customer("Bob Babbage")

    with pytest.raises(OrderNotFound):
        await shop.mediator.send(CancelOrder(order_id=order_id, customer_id=bob))
    with pytest.raises(OrderNotFound):
        await shop.mediator.ask(GetOrder(order_id=order_id, customer_id=bob))
    with pytest.raises(OrderNotFound):
        await shop.mediator.send(CancelOrder(order_id=uuid.uuid4(), customer_id=None))

    assert shop.uow.commits == 0
    assert shop.uow.outbox == []
    assert shop.uow.order(order_id).status is OrderStatus.PENDING
    for reader in (ada, None):  # its customer and admins
        view = await shop.mediator.ask(GetOrder(order_id=order_id, customer_id=reader))
        assert (view.id, view.status, view.customer_id) == (order_id, OrderStatus.PENDING, ada)


async def test_the_saga_moves_the_order_to_paid_and_admins_ship_and_deliver_it(
    shop: FakeOrdering,
) -> None:
    _, order_id = await placed(shop)

    await react(shop, shop.container.await_payment(), stock_reserved(order_id))
    await react(shop, shop.container.mark_paid(), captured(order_id))
    shipped = await shop.mediator.send(ShipOrder(order_id=order_id))
    delivered = await shop.mediator.send(DeliverOrder(order_id=order_id))

    assert (shipped.status, delivered.status) == (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    assert shop.uow.commits == 4
    assert [type(event) for event in shop.uow.outbox] == [
        OrderAwaitingPaymentV1,
        OrderPaidV1,
        OrderShippedV1,
        OrderDeliveredV1,
    ]
    assert [event.aggregate_version for event in shop.uow.outbox] == [2, 3, 4, 5]
    assert [change.status for change in shop.uow.order(order_id).history] == [
        OrderStatus.PENDING,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]


@pytest.mark.parametrize("move", ["ship", "deliver", "cancel delivered"])
async def test_illegal_moves_are_refused_and_commit_nothing(shop: FakeOrdering, move: str) -> None:
    if move == "cancel delivered":
        ada, order_id = await paid(shop)
        await shop.mediator.send(ShipOrder(order_id=order_id))
        await shop.mediator.send(DeliverOrder(order_id=order_id))
        shop.forget_history()
        command: Any = CancelOrder(order_id=order_id, customer_id=ada)
    else:
        _, order_id = await placed(shop)  # pending: neither paid nor shipped
        command = (ShipOrder if move == "ship" else DeliverOrder)(order_id=order_id)
    before = list(shop.uow.order(order_id).history)

    with pytest.raises(IllegalTransition):
        await shop.mediator.send(command)

    assert shop.uow.commits == 0
    assert shop.uow.outbox == []
    assert shop.uow.order(order_id).history == before


async def test_a_failed_reservation_or_payment_cancels_the_order_with_its_reason(
    shop: FakeOrdering,
) -> None:
    _, out_of_stock = await placed(shop)
    _, declined = await placed(shop)
    await react(shop, shop.container.await_payment(), stock_reserved(declined))
    shop.forget_history()

    await react(
        shop,
        shop.container.cancel_out_of_stock(),
        StockReservationFailedV1(
            aggregate_id=out_of_stock,
            aggregate_version=1,
            occurred_at=AT,
            reason="out_of_stock",
            product_ids=[],
        ),
    )
    await react(
        shop,
        shop.container.cancel_unpaid(),
        PaymentFailedV1(
            aggregate_id=uuid.uuid4(),
            aggregate_version=1,
            occurred_at=AT,
            order_id=declined,
            amount=1_000,
            currency="EUR",
            reason="card_declined",
        ),
    )

    reasons = [
        (event.aggregate_id, event.reason)
        for event in shop.uow.outbox
        if isinstance(event, OrderCancelledV1)
    ]
    assert reasons == [(out_of_stock, "out_of_stock"), (declined, "payment_declined")]


async def test_a_reaction_too_late_for_a_cancelled_order_changes_nothing(
    shop: FakeOrdering,
) -> None:
    ada, order_id = await placed(shop)
    await shop.mediator.send(CancelOrder(order_id=order_id, customer_id=ada))
    shop.forget_history()

    await react(shop, shop.container.await_payment(), stock_reserved(order_id))
    await react(shop, shop.container.mark_paid(), captured(order_id))

    assert shop.uow.outbox == []
    assert shop.uow.order(order_id).status is OrderStatus.CANCELLED
