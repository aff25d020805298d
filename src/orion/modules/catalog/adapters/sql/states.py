"""What the consistency auditor reads of the catalog: reservations' states and products'
stock beside the ledger, straight from SQL (no aggregate is loaded, nothing is tracked)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog.contracts.queries import ReservationState, StockBalance
from orion.modules.catalog.domain.reservation import ReservationStatus
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.application.consistency import ChangedBetween

from .tables import products, reservation_lines, reservations, stock_movements


def _movements(kind: str | None = None) -> sa.ScalarSelect[int]:
    """The sum of the product's movements (of one kind)."""
    statement = sa.select(sa.func.coalesce(sa.func.sum(stock_movements.c.quantity), 0)).where(
        stock_movements.c.product_id == products.c.id
    )
    if kind is not None:
        statement = statement.where(stock_movements.c.kind == kind)
    return statement.scalar_subquery()


_BALANCE = sa.select(
    products.c.id.label("product_id"),
    products.c.stock.label("on_hand"),
    _movements("opening").label("opening"),
    _movements("adjustment").label("adjustments"),
    sa.select(sa.func.coalesce(sa.func.sum(reservation_lines.c.quantity), 0))
    .join(reservations, reservations.c.order_id == reservation_lines.c.order_id)
    .where(
        reservation_lines.c.product_id == products.c.id,
        reservations.c.status == ReservationStatus.RESERVED.value,
    )
    .scalar_subquery()
    .label("reserved"),
    _movements().label("ledger"),
    products.c.updated_at.label("changed_at"),
)

_STATE = sa.select(
    reservations.c.order_id,
    reservations.c.status,
    sa.func.coalesce(reservations.c.released_at, reservations.c.created_at).label("changed_at"),
)


class SqlCatalogStates:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def live(self, window: ChangedBetween) -> list[ReservationState]:
        """A live reservation was never released: it last changed when it was made."""
        holding = _STATE.where(reservations.c.status == ReservationStatus.RESERVED.value)
        statement = keyset.changed_between(
            holding, reservations.c.created_at, reservations.c.order_id, window
        )
        return await keyset.fetch_as(self._engine, statement, ReservationState)

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[ReservationState]:
        return await keyset.fetch_as(
            self._engine,
            _STATE.where(keyset.one_of(reservations.c.order_id, order_ids)),
            ReservationState,
        )

    async def moved(self, since: datetime | None, before: datetime) -> list[uuid.UUID]:
        if since is None:
            statement = sa.select(products.c.id)
        else:
            at = stock_movements.c.at
            statement = (
                sa.select(stock_movements.c.product_id).where(at >= since, at < before).distinct()
            )
        async with self._engine.connect() as connection:
            return list((await connection.execute(statement)).scalars())

    async def balances(self, product_ids: tuple[uuid.UUID, ...]) -> list[StockBalance]:
        statement = _BALANCE.where(keyset.one_of(products.c.id, product_ids))
        return await keyset.fetch_as(self._engine, statement, StockBalance)
