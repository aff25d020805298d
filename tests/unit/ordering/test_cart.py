"""The Cart: quantities, limits, and merging a guest cart once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from orion.modules.ordering.domain.cart import MAX_LINES, MAX_QUANTITY, Cart
from orion.modules.ordering.domain.errors import CartFull, InvalidCart

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def cart(customer: bool = True) -> Cart:
    return Cart.open(id=uuid.uuid4(), customer_id=uuid.uuid4() if customer else None, now=NOW)


def test_quantities_are_one_to_ninety_nine_and_setting_replaces() -> None:
    mine, pen = cart(), uuid.uuid4()
    mine.set_quantity(pen, 3, now=NOW)
    mine.set_quantity(pen, 5, now=NOW)
    assert mine.lines[pen].quantity == 5
    for wrong in (0, MAX_QUANTITY + 1):
        with pytest.raises(InvalidCart):
            mine.set_quantity(pen, wrong, now=NOW)
    assert mine.lines[pen].quantity == 5


def test_a_cart_holds_at_most_a_hundred_lines() -> None:
    mine = cart()
    ids = [uuid.uuid4() for _ in range(MAX_LINES)]
    for product_id in ids:
        mine.set_quantity(product_id, 1, now=NOW)
    with pytest.raises(CartFull):
        mine.set_quantity(uuid.uuid4(), 1, now=NOW)
    mine.set_quantity(ids[0], 7, now=NOW)  # changing a line that is there is fine
    assert len(mine.lines) == MAX_LINES


def test_absorbing_a_guest_cart_adds_capped_quantities_once_and_closes_it() -> None:
    mine, guest = cart(), cart(customer=False)
    shared, other = uuid.uuid4(), uuid.uuid4()
    mine.set_quantity(shared, 60, now=NOW)
    guest.set_quantity(shared, 50, now=NOW)
    guest.set_quantity(other, 2, now=NOW)
    later = NOW + timedelta(minutes=5)
    mine.absorb(guest, now=later)
    mine.absorb(guest, now=later)
    assert {p: line.quantity for p, line in mine.lines.items()} == {shared: 99, other: 2}
    assert guest.closed
    assert mine.updated_at == later


def test_absorbing_stops_at_the_line_limit() -> None:
    mine, guest = cart(), cart(customer=False)
    for _ in range(MAX_LINES - 1):
        mine.set_quantity(uuid.uuid4(), 1, now=NOW)
    for _ in range(3):
        guest.set_quantity(uuid.uuid4(), 1, now=NOW)
    mine.absorb(guest, now=NOW)
    assert len(mine.lines) == MAX_LINES


def test_changes_move_the_version_once_per_load_and_removing_nothing_does_not() -> None:
    mine = cart()
    mine.set_quantity(uuid.uuid4(), 1, now=NOW)
    mine.set_quantity(uuid.uuid4(), 2, now=NOW)
    assert mine.version == 1
    mine.mark_persisted()  # saved: the next change is a new version
    mine.remove(uuid.uuid4(), now=NOW)
    assert mine.version == 1
    mine.clear(now=NOW)
    assert mine.version == 2
    assert not mine.lines
