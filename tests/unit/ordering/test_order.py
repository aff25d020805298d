"""The Order aggregate: placing, its state machine, and what it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from orion.modules.ordering.domain.errors import IllegalTransition, InvalidOrder, MixedCurrencies
from orion.modules.ordering.domain.order import (
    CancelReason,
    Customer,
    Order,
    OrderLine,
    OrderPlaced,
    OrderStatus,
    OrderStatusChanged,
    ShippingAddress,
)
from orion.shared_kernel.domain.money import Money

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ADDRESS = ShippingAddress(
    name="Ada", line1="1 Rue", line2="", city="Paris", postal_code="75001", country="FR"
)


def line(amount: int = 500, quantity: int = 2, currency: str = "EUR") -> OrderLine:
    return OrderLine(
        product_id=uuid.uuid4(),
        sku="SKU",
        name="Pen",
        unit_price=Money(amount=amount, currency=currency),
        quantity=quantity,
    )


def place(*lines: OrderLine) -> Order:
    return Order.place(
        id=uuid.uuid4(),
        number="ORN-000001",
        customer=Customer(id=uuid.uuid4(), email="ada@example.com", name="Ada"),
        lines=lines or (line(),),
        shipping_address=ADDRESS,
        payment_token="tok_visa",
        now=NOW,
    )


def test_a_placed_order_is_pending_with_its_total_and_records_it() -> None:
    order = place(line(500, 2), line(199, 1))
    assert order.status is OrderStatus.PENDING
    assert order.total == Money(amount=1_199, currency="EUR")
    assert order.version == 1
    assert order.pull_events() == [OrderPlaced(at=NOW)]


def test_cannot_place_an_order_without_lines_or_in_two_currencies() -> None:
    with pytest.raises(InvalidOrder):
        Order.place(
            id=uuid.uuid4(),
            number="ORN-000001",
            customer=Customer(id=uuid.uuid4(), email="a@example.com", name="A"),
            lines=(),
            shipping_address=ADDRESS,
            payment_token="tok_visa",
            now=NOW,
        )
    with pytest.raises(MixedCurrencies):
        place(line(currency="EUR"), line(currency="USD"))


def test_the_happy_path_and_its_history() -> None:
    order = place()
    order.pull_events()
    order.stock_reserved(now=NOW + timedelta(seconds=1))
    order.paid(now=NOW + timedelta(seconds=2))
    order.ship(now=NOW + timedelta(days=1))
    order.deliver(now=NOW + timedelta(days=3))
    assert [change.status for change in order.history] == [
        OrderStatus.PENDING,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]
    assert order.updated_at == NOW + timedelta(days=3)
    events = order.pull_events()
    assert all(isinstance(event, OrderStatusChanged) for event in events)
    assert [event.previous for event in events if isinstance(event, OrderStatusChanged)] == [
        OrderStatus.PENDING,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
    ]


@pytest.mark.parametrize(
    "path",
    [[], ["stock_reserved"], ["stock_reserved", "paid"]],
    ids=["pending", "awaiting_payment", "paid"],
)
def test_an_order_can_be_cancelled_until_it_ships(path: list[str]) -> None:
    order = place()
    for step in path:
        getattr(order, step)(now=NOW)
    order.cancel(CancelReason.CUSTOMER_REQUEST, now=NOW)
    assert order.status is OrderStatus.CANCELLED
    assert order.history[-1].reason == "customer_request"


@pytest.mark.parametrize(
    ("path", "move"),
    [
        ([], "ship"),
        ([], "paid"),
        (["stock_reserved"], "deliver"),
        (["stock_reserved", "paid", "ship"], "cancel"),
        (["stock_reserved", "paid", "ship", "deliver"], "cancel"),
        (["cancel"], "stock_reserved"),
        (["cancel"], "cancel"),
    ],
)
def test_any_other_move_is_refused_and_changes_nothing(path: list[str], move: str) -> None:
    order = place()
    for step in path:
        _do(order, step)
    before = list(order.history)
    with pytest.raises(IllegalTransition):
        _do(order, move)
    assert order.history == before


def test_an_address_needs_its_lines_and_an_iso_country() -> None:
    with pytest.raises(InvalidOrder):
        ShippingAddress(name="A", line1=" ", line2="", city="P", postal_code="1", country="FR")
    with pytest.raises(InvalidOrder):
        ShippingAddress(name="A", line1="1", line2="", city="P", postal_code="1", country="fr")


def _do(order: Order, step: str) -> None:
    if step == "cancel":
        order.cancel(CancelReason.ADMIN_REQUEST, now=NOW)
    else:
        getattr(order, step)(now=NOW)
