"""The rules each invariant judges a subject by, on the modules' answers alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from orion.modules.audit.application.invariants import (
    payment_problem,
    reservation_problem,
    stock_problem,
)
from orion.modules.catalog.contracts.queries import ReservationState, StockBalance
from orion.modules.ordering.contracts.queries import OrderState
from orion.modules.payments.contracts.queries import PaymentState

ORDER = uuid.uuid4()
AT = datetime(2026, 12, 7, tzinfo=UTC)


def order(status: str, total: int = 2_500) -> OrderState:
    return OrderState(
        order_id=ORDER, status=status, currency="EUR", total_amount=total, changed_at=AT
    )


def payment(status: str, amount: int = 2_500, currency: str = "EUR") -> PaymentState:
    return PaymentState(
        order_id=ORDER,
        payment_id=uuid.uuid4(),
        status=status,
        amount=amount,
        currency=currency,
        changed_at=AT,
    )


@pytest.mark.parametrize(
    ("the_order", "the_payment", "problem"),
    [
        (order("paid"), payment("captured"), None),
        (order("shipped"), payment("captured"), None),
        (order("delivered"), payment("captured", currency="USD"), "amount_differs"),
        (order("paid"), payment("captured", amount=2_499), "amount_differs"),
        (order("paid"), None, "sold_without_payment"),
        (order("shipped"), payment("refunded"), "sold_with_payment_refunded"),
        (order("cancelled"), payment("refunded"), None),
        (order("cancelled"), payment("failed"), None),
        (order("cancelled"), None, None),
        (order("cancelled"), payment("captured"), "captured_for_cancelled_order"),
        (order("awaiting_payment"), payment("pending"), None),
        (order("awaiting_payment"), payment("captured"), "captured_unpaid"),
        (None, payment("captured"), "captured_without_order"),
        (None, payment("refunded"), None),
    ],
)
def test_a_sold_order_has_one_capture_of_its_total_and_a_capture_a_sold_order(
    the_order: OrderState | None, the_payment: PaymentState | None, problem: str | None
) -> None:
    assert payment_problem(the_order, the_payment) == problem


@pytest.mark.parametrize(
    ("the_order", "status", "problem"),
    [
        (order("paid"), "reserved", None),
        (order("pending"), "reserved", None),
        (order("cancelled"), "released", None),
        (order("cancelled"), "failed", None),
        (order("cancelled"), "reserved", "reserved_for_cancelled_order"),
        (None, "reserved", "reserved_without_order"),
        (None, "cancelled", None),
        (order("cancelled"), None, None),
    ],
)
def test_stock_is_held_only_for_an_order_that_wants_it(
    the_order: OrderState | None, status: str | None, problem: str | None
) -> None:
    reservation = (
        None if status is None else ReservationState(order_id=ORDER, status=status, changed_at=AT)
    )
    assert reservation_problem(the_order, reservation) == problem


@pytest.mark.parametrize(
    ("on_hand", "ledger", "reserved", "problem"),
    [
        (7, 7, 3, None),
        (8, 7, 3, "on_hand_differs_from_ledger"),
        (7, 7, 2, "on_hand_differs_from_reservations"),
    ],
)
def test_stock_on_hand_is_the_ledgers(
    on_hand: int, ledger: int, reserved: int, problem: str | None
) -> None:
    balance = StockBalance(
        product_id=uuid.uuid4(),
        on_hand=on_hand,
        opening=10,
        adjustments=0,
        reserved=reserved,
        ledger=ledger,
        changed_at=AT,
    )
    assert stock_problem(balance) == problem
