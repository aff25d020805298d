"""What the consistency auditor reads of the catalog's reservations: their states, straight
from SQL (no aggregate is loaded, nothing is tracked)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog.contracts.queries import ReservationState
from orion.modules.catalog.domain.reservation import ReservationStatus
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.application.consistency import ChangedBetween

from .tables import reservations

_STATE = sa.select(
    reservations.c.order_id,
    reservations.c.status,
    sa.func.coalesce(reservations.c.released_at, reservations.c.created_at).label("changed_at"),
)


class SqlReservationStates:
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
            self._engine, _STATE.where(reservations.c.order_id.in_(order_ids)), ReservationState
        )
