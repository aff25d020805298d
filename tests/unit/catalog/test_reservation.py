"""Stock set aside for orders: a product's reserve and release, and an order's reservation,
every line or nothing."""

from __future__ import annotations

import uuid

import pytest

from orion.modules.catalog.domain.errors import (
    InsufficientStock,
    InvalidReservation,
    ProductUnavailable,
)
from orion.modules.catalog.domain.events import (
    ReservationMade,
    ReservationRefused,
    ReservationReleased,
    StockReleased,
    StockReserved,
)
from orion.modules.catalog.domain.product import Product, ProductChanges, Shortfall
from orion.modules.catalog.domain.reservation import (
    ReservationLine,
    ReservationStatus,
    StockReservation,
)
from tests.unit.catalog.test_product import T1, T2, persisted_product

ORDER = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-00000000000f")
MUG = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-000000000001")
CUP = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-000000000002")


def stocked(product_id: uuid.UUID, stock: int) -> Product:
    return persisted_product(id=product_id, sku=f"SKU-{product_id.hex[-4:]}", stock=stock)


def line(product_id: uuid.UUID, quantity: int) -> ReservationLine:
    return ReservationLine(product_id=product_id, quantity=quantity)


def place(*lines: ReservationLine, products: list[Product]) -> StockReservation:
    return StockReservation.place(
        order_id=ORDER, lines=lines, products={p.id: p for p in products}, now=T1
    )


def reserved_order(mug: Product, cup: Product) -> StockReservation:
    """An order's reservation as a repository would load it."""
    reservation = place(line(MUG, 2), line(CUP, 1), products=[mug, cup])
    for item in (reservation, mug, cup):
        item.pull_events()
        item.mark_persisted()
    return reservation


# --- a product's stock ------------------------------------------------------------------


def test_reserve_takes_the_quantity_off_stock_and_records_stock_reserved() -> None:
    product = persisted_product(stock=5)

    product.reserve(2, now=T1)

    assert product.stock == 3
    assert product.pull_events() == [StockReserved(at=T1, quantity=2)]
    assert product.version == product.loaded_version + 1
    assert product.updated_at == T1


def test_the_whole_stock_can_be_reserved() -> None:
    product = persisted_product(stock=5)

    product.reserve(5, now=T1)

    assert product.stock == 0


def test_cannot_reserve_more_than_on_hand() -> None:
    product = persisted_product(stock=5)

    with pytest.raises(InsufficientStock, match="5 on hand"):
        product.reserve(6, now=T1)
    assert product.stock == 5
    assert product.pull_events() == []
    assert product.version == product.loaded_version


@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_unavailable_product_cannot_be_reserved(state: str) -> None:
    product = persisted_product(stock=5)
    if state == "inactive":
        product.update(ProductChanges(active=False), now=T1)
    else:
        product.delete(now=T1)

    assert product.shortfall(1) is Shortfall.PRODUCT_UNAVAILABLE
    with pytest.raises(ProductUnavailable):
        product.reserve(1, now=T2)
    assert product.stock == 5


@pytest.mark.parametrize("quantity", [0, -1])
def test_reserved_or_released_quantity_must_be_positive(quantity: int) -> None:
    product = persisted_product(stock=5)

    with pytest.raises(InvalidReservation):
        product.reserve(quantity, now=T1)
    with pytest.raises(InvalidReservation):
        product.release(quantity, now=T1)
    assert product.stock == 5


def test_release_puts_the_quantity_back_and_records_stock_released() -> None:
    product = persisted_product(stock=0)

    product.release(3, now=T1)

    assert product.stock == 3
    assert product.pull_events() == [StockReleased(at=T1, quantity=3)]
    assert product.version == product.loaded_version + 1


def test_release_puts_stock_back_on_a_product_deleted_meanwhile() -> None:
    product = persisted_product(stock=0)
    product.delete(now=T1)

    product.release(2, now=T2)

    assert product.stock == 2


# --- an order's reservation -------------------------------------------------------------


def test_place_reserves_every_line_and_records_reservation_made_at_version_1() -> None:
    mug, cup = stocked(MUG, 5), stocked(CUP, 1)

    reservation = place(line(CUP, 1), line(MUG, 2), products=[mug, cup])

    assert reservation.status is ReservationStatus.RESERVED
    assert reservation.holds_stock
    assert reservation.lines == (line(MUG, 2), line(CUP, 1))  # in product id order
    assert (mug.stock, cup.stock) == (3, 0)
    assert reservation.pull_events() == [ReservationMade(at=T1)]
    assert reservation.version == 1


def test_place_reserves_nothing_when_one_line_is_short() -> None:
    mug, cup = stocked(MUG, 5), stocked(CUP, 1)

    reservation = place(line(MUG, 2), line(CUP, 2), products=[mug, cup])

    assert reservation.status is ReservationStatus.FAILED
    assert not reservation.holds_stock
    assert reservation.lines == ()
    assert (mug.stock, cup.stock) == (5, 1)
    assert mug.pull_events() == cup.pull_events() == []
    assert reservation.pull_events() == [
        ReservationRefused(at=T1, reason="out_of_stock", product_ids=(CUP,))
    ]
    assert reservation.version == 1


def test_lines_of_the_same_product_add_up() -> None:
    mug = stocked(MUG, 3)

    reservation = place(line(MUG, 2), line(MUG, 2), products=[mug])

    assert reservation.status is ReservationStatus.FAILED
    assert mug.stock == 3
    assert place(line(MUG, 1), line(MUG, 2), products=[mug]).lines == (line(MUG, 3),)


def test_unavailable_products_are_named_before_short_ones() -> None:
    mug, cup = stocked(MUG, 0), stocked(CUP, 9)
    cup.update(ProductChanges(active=False), now=T1)
    unknown = uuid.UUID(int=3)

    reservation = place(line(MUG, 1), line(CUP, 1), line(unknown, 1), products=[mug, cup])

    assert reservation.pull_events() == [
        ReservationRefused(at=T1, reason="product_unavailable", product_ids=(unknown, CUP))
    ]


def test_a_reservation_needs_a_line_of_positive_quantity() -> None:
    with pytest.raises(InvalidReservation, match="at least one line"):
        place(products=[])
    with pytest.raises(InvalidReservation, match="positive"):
        line(MUG, 0)


def test_release_puts_every_line_back_and_records_reservation_released_at_version_2() -> None:
    mug, cup = stocked(MUG, 5), stocked(CUP, 1)
    reservation = reserved_order(mug, cup)

    reservation.release({MUG: mug, CUP: cup}, now=T2)

    assert reservation.status is ReservationStatus.RELEASED
    assert reservation.released_at == T2
    assert (mug.stock, cup.stock) == (5, 1)
    assert reservation.pull_events() == [ReservationReleased(at=T2)]
    assert reservation.version == 2


def test_only_a_reservation_that_holds_stock_can_be_released() -> None:
    mug, cup = stocked(MUG, 5), stocked(CUP, 1)
    released = reserved_order(mug, cup)
    released.release({MUG: mug, CUP: cup}, now=T2)
    failed = place(line(MUG, 9), products=[mug])
    tombstone = StockReservation.cancelled_before_placed(order_id=ORDER, now=T1)

    for reservation in (released, failed, tombstone):
        assert not reservation.holds_stock
        with pytest.raises(InvalidReservation, match="nothing to release"):
            reservation.release({MUG: mug, CUP: cup}, now=T2)
    assert (mug.stock, cup.stock) == (5, 1)


def test_a_tombstone_reserves_nothing_and_records_nothing() -> None:
    tombstone = StockReservation.cancelled_before_placed(order_id=ORDER, now=T1)

    assert tombstone.status is ReservationStatus.CANCELLED
    assert tombstone.lines == ()
    assert tombstone.pull_events() == []
