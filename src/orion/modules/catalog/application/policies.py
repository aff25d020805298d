"""The catalog's side of the order saga: stock reserved when an order is placed (every line or
none) and put back when it is cancelled.

Each runs in the transaction of the catalog's inbox, under the order's lock, and looks at the
order's reservation first: a message delivered twice, a second OrderPlaced for the same
order, or an OrderPlaced that comes after its cancellation changes nothing (see
``domain/reservation.py``). The products' own ``StockReserved``/``StockReleased`` are not
published: the order-level event says it, and a consumer of product events may see a gap in a
product's versions (docs/messaging.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from orion.modules.catalog.domain.product import Product
from orion.modules.catalog.domain.reservation import ReservationLine, StockReservation
from orion.modules.ordering.contracts.events import OrderCancelledV1, OrderPlacedV1
from orion.shared_kernel.application.clock import Clock

from .ports import CatalogUnitOfWork, ProductRepository


class ReserveStockOnOrderPlaced:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: OrderPlacedV1, uow: CatalogUnitOfWork) -> None:
        if await uow.reservations.get(event.aggregate_id) is not None:
            return  # placed before, or cancelled already
        lines = [
            ReservationLine(product_id=line.product_id, quantity=line.quantity)
            for line in event.lines
        ]
        products = await uow.products.lock(line.product_id for line in lines)
        reservation = StockReservation.place(
            order_id=event.aggregate_id, lines=lines, products=products, now=self._clock.now()
        )
        await _save_changed(uow.products, products.values())
        await uow.reservations.add(reservation)


class ReleaseStockOnOrderCancelled:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: OrderCancelledV1, uow: CatalogUnitOfWork) -> None:
        now = self._clock.now()
        reservation = await uow.reservations.get(event.aggregate_id)
        if reservation is None:
            await uow.reservations.add(
                StockReservation.cancelled_before_placed(order_id=event.aggregate_id, now=now)
            )
            return
        await release(uow, reservation, now=now)


async def release(uow: CatalogUnitOfWork, reservation: StockReservation, *, now: datetime) -> bool:
    """Gives the reservation's stock back; False when it holds none (refused, released
    already, or a tombstone). The cancellation's policy and the auditor's repair
    (``ReleaseReservation``) both release this way."""
    if not reservation.holds_stock:
        return False
    products = await uow.products.lock(line.product_id for line in reservation.lines)
    reservation.release(products, now=now)
    await _save_changed(uow.products, products.values())
    await uow.reservations.save(reservation)
    return True


async def _save_changed(repository: ProductRepository, products: Iterable[Product]) -> None:
    for product in products:
        if product.version != product.loaded_version:
            await repository.save(product)
