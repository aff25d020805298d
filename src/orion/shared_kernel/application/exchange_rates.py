"""Exchange rates for showing and charging prices in a customer's currency (ADR 12).

``ExchangeRates`` is the port a publisher's adapter implements (ECB, Frankfurter, the static
file); ``RatesStore`` keeps the last table fetched (Redis, or this process's memory). The
``CurrencyConverter`` is what modules use: it answers from the store, refreshes in the
background, marks rates ``stale`` once they are older than the refresh interval (the
publisher could not be reached) and refuses (``RatesUnavailable``, 503) past the max age,
so that no price is ever computed with rates older than that.

It sits in the shared kernel because both the catalog and ordering convert, and it owns no
data of any module: like the clock, it is a service every module may be given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable, convert
from orion.shared_kernel.domain.money import Money


class ExchangeRates(Protocol):
    """A publisher of reference rates. ``fetch`` raises ``RatesUnavailable`` when it cannot
    answer (after its own retries)."""

    name: str

    async def fetch(self) -> RateTable: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredRates:
    table: RateTable
    fetched_at: datetime


class RatesStore(Protocol):
    async def get(self) -> StoredRates | None: ...

    async def put(self, rates: StoredRates) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """The rates a price was computed with: what to show, and what an order records."""

    table: RateTable
    fetched_at: datetime
    stale: bool

    def rate(self, source: str, target: str) -> Decimal:
        return self.table.rate(source, target)

    def convert(self, money: Money, target: str) -> Money:
        return convert(money, target, self.rate(money.currency, target))


class CurrencyConverter:
    """Rates from the store; a refresh begins in the background when they are older than
    half of ``refresh``, so that a reader rarely waits and rarely sees them stale. A reader
    waits for the publisher only when there are no rates yet, or none younger than the max
    age (after a long quiet spell); if the publisher fails then, it is refused. One refresh
    at a time per process."""

    def __init__(
        self,
        *,
        source: ExchangeRates,
        store: RatesStore,
        clock: Clock,
        refresh: timedelta,
        max_age: timedelta,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
        circuits: Mapping[str, Callable[[], Awaitable[str]]] | None = None,
    ) -> None:
        self.source_name = source.name
        self._source, self._store, self._clock = source, store, clock
        self._refresh, self._max_age = refresh, max_age
        self._refreshing: asyncio.Task[StoredRates] | None = None
        self._closers = closers
        self.circuits = dict(circuits or {})  # breaker name -> its state, for metrics

    async def quote(self) -> Quote:
        stored = await self._store.get()
        if stored is None:
            stored = await self._refresh_once()
        elif self._clock.now() - stored.fetched_at > self._max_age:
            stored = await self._refresh_past_max_age(stored)
        age = self._clock.now() - stored.fetched_at
        if age > self._refresh / 2:
            self._refresh_in_background()
        return Quote(table=stored.table, fetched_at=stored.fetched_at, stale=age > self._refresh)

    async def freshness(self) -> dict[str, Any]:
        """When the rates in use were fetched, and whether they are past the refresh
        interval (served ``stale``); reads the store only, fetches nothing."""
        stored = await self._store.get()
        if stored is None:
            return {"fetched_at": None, "stale": True}
        age = self._clock.now() - stored.fetched_at
        return {"fetched_at": stored.fetched_at, "stale": age > self._refresh}

    async def refresh(self) -> StoredRates:
        """Fetches now (joining a refresh in flight) and stores what came."""
        return await self._refresh_once()

    async def aclose(self) -> None:
        task, self._refreshing = self._refreshing, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        for close in self._closers:
            await close()

    def _refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._fetch_and_store())
            self._refreshing.add_done_callback(_retrieve)

    async def _refresh_past_max_age(self, expired: StoredRates) -> StoredRates:
        """Rates too old to use: the reader waits for new ones, or is refused."""
        try:
            return await self._refresh_once()
        except RatesUnavailable as error:
            raise RatesUnavailable(
                f"the last {self.source_name} rates were fetched at "
                f"{expired.fetched_at.isoformat()}, past the max age of {self._max_age}, "
                f"and new ones cannot be had: {error}"
            ) from error

    async def _refresh_once(self) -> StoredRates:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.create_task(self._fetch_and_store())
            self._refreshing.add_done_callback(_retrieve)
        return await asyncio.shield(self._refreshing)

    async def _fetch_and_store(self) -> StoredRates:
        table = await self._source.fetch()
        stored = StoredRates(table=table, fetched_at=self._clock.now())
        await self._store.put(stored)
        return stored


def _retrieve(task: asyncio.Task[StoredRates]) -> None:
    """A background refresh's failure is the adapter's to log; retrieving it here keeps
    asyncio from reporting it again as never retrieved."""
    if not task.cancelled():
        task.exception()
