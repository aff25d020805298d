"""What other modules may ask the catalog, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductForOrder:
    """A product as an order needs it. ``active`` is false once it is deactivated or deleted."""

    product_id: uuid.UUID
    sku: str
    name: str
    price_amount: int
    currency: str
    stock: int
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProductsForOrder(Query[list[ProductForOrder]]):
    """Unknown ids are left out of the answer; deleted products are included, inactive."""

    product_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationState:
    """What the catalog did with an order's stock, as of its last change (``changed_at``).
    ``status``: ``reserved`` (holding stock), ``failed``, ``released``, ``cancelled``."""

    order_id: uuid.UUID
    status: str
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLiveReservations(Query[list[ReservationState]]):
    """The reservations still holding stock that were made in the window (for the
    consistency auditor)."""

    window: ChangedBetween


@dataclass(frozen=True, slots=True, kw_only=True)
class GetReservationStates(Query[list[ReservationState]]):
    """The reservations of these orders; orders the catalog never heard of are left out."""

    order_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockBalance:
    """A product's stock on hand beside its ledger (``changed_at``: the product's last
    change). ``reserved``: the units its live reservations hold; ``ledger``: the sum of every
    movement (opening, adjustments, reserved, released)."""

    product_id: uuid.UUID
    on_hand: int
    opening: int
    adjustments: int
    reserved: int
    ledger: int
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListStockMoved(Query[list[uuid.UUID]]):
    """The products whose stock moved in [``since``, ``before``); ``since`` None: every
    product (for the consistency auditor)."""

    since: datetime | None
    before: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class GetStockBalances(Query[list[StockBalance]]):
    """The balances of these products; unknown ids are left out."""

    product_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLevel:
    """A product's stock on hand now (reservations taken off), with what names it."""

    product_id: uuid.UUID
    sku: str
    name: str
    stock: int
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ListStockLevels(Query[list[StockLevel]]):
    """Up to ``limit`` products (deleted ones left out) whose id is after ``after``, by id (an
    empty list: no more): what a read model fed by the catalog's events is rebuilt from."""

    after: uuid.UUID | None = None
    limit: int = 500
