"""The stock the catalog sets aside for one order: every line of it, or nothing.

The catalog keeps one reservation per order it has heard of, whichever message came first;
each message about the order moves it at most once:

    OrderPlaced      (none) -> RESERVED, stock taken, or (none) -> FAILED, nothing taken
    OrderCancelled   RESERVED -> RELEASED, stock back, or (none) -> CANCELLED, a tombstone
    anything else    no change: a duplicate, the cancellation of a failed reservation, or an
                     OrderPlaced that arrives after its order's cancellation
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from orion.shared_kernel.domain.aggregate import AggregateRoot

from .errors import InvalidReservation
from .events import ReservationMade, ReservationRefused, ReservationReleased
from .product import Product, Shortfall, require_positive


class ReservationStatus(StrEnum):
    RESERVED = "reserved"
    FAILED = "failed"
    RELEASED = "released"
    CANCELLED = "cancelled"  # cancelled before the catalog heard the order placed


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationLine:
    product_id: uuid.UUID
    quantity: int

    def __post_init__(self) -> None:
        require_positive(self.quantity)


class StockReservation(AggregateRoot):
    """``version`` counts the changes published: 1 once reserved or refused, 2 once released
    (a tombstone publishes nothing and stays at 0). ``lines`` are in product id order."""

    def __init__(
        self,
        *,
        order_id: uuid.UUID,
        status: ReservationStatus,
        lines: tuple[ReservationLine, ...],
        created_at: datetime,
        released_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.order_id = order_id
        self.status = status
        self.lines = lines
        self.created_at = created_at
        self.released_at = released_at

    @classmethod
    def place(
        cls,
        *,
        order_id: uuid.UUID,
        lines: Iterable[ReservationLine],
        products: Mapping[uuid.UUID, Product],
        now: datetime,
    ) -> StockReservation:
        """Reserves every line, or nothing if a product cannot be had. ``products`` are the
        lines' products (an id missing from it is unknown, so unavailable); lines of the same
        product add up. If some products are unavailable and others short, the reason is
        ``product_unavailable`` (no restock helps) and names only those."""
        wanted = _merged(lines)
        shortfalls = {
            line.product_id: (
                products[line.product_id].shortfall(line.quantity)
                if line.product_id in products
                else Shortfall.PRODUCT_UNAVAILABLE
            )
            for line in wanted
        }
        for reason in Shortfall:  # in declaration order: product_unavailable first
            refused = tuple(product_id for product_id, s in shortfalls.items() if s is reason)
            if refused:
                failed = cls(
                    order_id=order_id, status=ReservationStatus.FAILED, lines=(), created_at=now
                )
                failed._record(ReservationRefused(at=now, reason=reason.value, product_ids=refused))
                return failed
        for line in wanted:
            products[line.product_id].reserve(line.quantity, now=now)
        reserved = cls(
            order_id=order_id, status=ReservationStatus.RESERVED, lines=wanted, created_at=now
        )
        reserved._record(ReservationMade(at=now))
        return reserved

    @classmethod
    def cancelled_before_placed(cls, *, order_id: uuid.UUID, now: datetime) -> StockReservation:
        """A tombstone: the order's cancellation came first, so its OrderPlaced reserves nothing."""
        return cls(order_id=order_id, status=ReservationStatus.CANCELLED, lines=(), created_at=now)

    @property
    def holds_stock(self) -> bool:
        return self.status is ReservationStatus.RESERVED

    def release(self, products: Mapping[uuid.UUID, Product], *, now: datetime) -> None:
        """Puts every line back on hand. ``products`` are the lines' products."""
        if not self.holds_stock:
            raise InvalidReservation(
                f"the reservation of order {self.order_id} is {self.status}: nothing to release"
            )
        for line in self.lines:
            products[line.product_id].release(line.quantity, now=now)
        self.status = ReservationStatus.RELEASED
        self.released_at = now
        self._record(ReservationReleased(at=now))


def _merged(lines: Iterable[ReservationLine]) -> tuple[ReservationLine, ...]:
    quantities: dict[uuid.UUID, int] = {}
    for line in lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    if not quantities:
        raise InvalidReservation("a reservation needs at least one line")
    return tuple(
        ReservationLine(product_id=product_id, quantity=quantity)
        for product_id, quantity in sorted(quantities.items())
    )
