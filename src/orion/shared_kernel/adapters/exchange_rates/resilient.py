"""Retries and a circuit breaker around a rates publisher, like payments' (ADR 11), through
the shared ``ResilientCall``. A fetch runs in the background, so its budget may be longer
than a request's; a failure is logged here and leaves the last rates in the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from purgatory import AsyncCircuitBreakerFactory

from orion.shared_kernel.adapters.exchange_rates.sources import PublisherUnavailable
from orion.shared_kernel.adapters.resilience import ResilientCall
from orion.shared_kernel.application.exchange_rates import ExchangeRates
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable

log = structlog.get_logger("orion.exchange_rates")


class CircuitOpen(RatesUnavailable):
    """The breaker is open: the publisher was not called."""


class ResilientRates:
    """The same port, each fetch a ``ResilientCall`` on the circuit
    ``exchange_rates.<publisher>`` that retries ``PublisherUnavailable``; a document that
    cannot be read is an answer, not retried. ``sleep`` is injectable so tests see the
    waits."""

    def __init__(
        self,
        inner: ExchangeRates,
        breakers: AsyncCircuitBreakerFactory,
        *,
        max_attempts: int = 4,
        time_budget_s: float = 30.0,
        backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._call = ResilientCall(
            f"exchange_rates.{inner.name}",
            breakers,
            unavailable=PublisherUnavailable,
            circuit_open=CircuitOpen,
            max_attempts=max_attempts,
            time_budget_s=time_budget_s,
            backoff_s=backoff_s,
            max_backoff_s=max_backoff_s,
            sleep=sleep,
            log=log.bind(publisher=inner.name),
            log_as="exchange_rates",
        )

    async def circuit_state(self) -> str:
        return await self._call.circuit_state()

    async def fetch(self) -> RateTable:
        try:
            table = await self._call(self._inner.fetch)
        except RatesUnavailable as error:
            log.warning("exchange_rates_fetch_failed", publisher=self.name, error=str(error))
            raise
        log.info("exchange_rates_fetched", publisher=self.name, as_of=table.as_of.isoformat())
        return table
