"""How many orders the saga has not settled yet (ADR 40): counted on the partial index
``summaries_unsettled`` (an index-only count of the few unsettled rows, however many orders
the shop has), at most every ``refresh_s`` per process, since checkout asks on every order."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.ordering.domain.order import OrderStatus
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import order_summaries

UNSETTLED_STATUSES = (OrderStatus.PENDING.value, OrderStatus.AWAITING_PAYMENT.value)
COUNT_UNSETTLED = (
    sa.select(sa.func.count())
    .select_from(order_summaries)
    .where(order_summaries.c.status.in_(UNSETTLED_STATUSES))
)


class SqlSettlingBacklog:
    def __init__(
        self,
        engine: AsyncEngine,
        refresh_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = autocommit(engine)
        self._refresh_s = refresh_s
        self._clock = clock
        self._count = 0
        self._counted_at = -math.inf
        self._counting = asyncio.Lock()  # one count at a time; the others take its answer

    async def unsettled(self) -> int:
        if self._clock() - self._counted_at < self._refresh_s:
            return self._count
        async with self._counting:
            if self._refresh_s == 0 or self._clock() - self._counted_at >= self._refresh_s:
                async with self._engine.connect() as connection:
                    self._count = await connection.scalar(COUNT_UNSETTLED) or 0
                self._counted_at = self._clock()
        return self._count
