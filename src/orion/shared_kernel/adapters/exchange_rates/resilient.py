"""Retries and a circuit breaker around a rates publisher, like payments' (ADR 11), from the
shared kernel's resilience pieces. A fetch runs in the background, so its budget may be
longer than a request's; a failure is logged here and leaves the last rates in the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from orion.shared_kernel.adapters.exchange_rates.sources import PublisherUnavailable
from orion.shared_kernel.adapters.resilience import circuit_state
from orion.shared_kernel.application.exchange_rates import ExchangeRates
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable

log = structlog.get_logger("orion.exchange_rates")


class CircuitOpen(RatesUnavailable):
    """The breaker is open: the publisher was not called."""


class ResilientRates:
    """The same port; ``PublisherUnavailable`` is retried after ``max(exponential backoff
    with jitter, Retry-After)`` until ``max_attempts`` or ``time_budget_s`` (a wait that
    would overrun it is not begun). Each attempt goes through the breaker, which counts only
    the publisher's unavailability. ``sleep`` is injectable so tests see the waits."""

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
        self._breakers = breakers
        self._circuit = f"exchange_rates.{inner.name}"
        self._stop = stop_after_attempt(max_attempts) | stop_before_delay(time_budget_s)
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_s, max=max_backoff_s, jitter=backoff_s
        )
        self._sleep = sleep

    async def circuit_state(self) -> str:
        return await circuit_state(self._breakers, self._circuit)

    async def fetch(self) -> RateTable:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(PublisherUnavailable),
            wait=self._wait,
            stop=self._stop,
            sleep=self._sleep,
            before_sleep=self._before_retry,
            reraise=True,
        )
        try:
            table: RateTable = await retrying(self._through_breaker)
        except RatesUnavailable as error:
            log.warning("exchange_rates_fetch_failed", publisher=self.name, error=str(error))
            raise
        log.info("exchange_rates_fetched", publisher=self.name, as_of=table.as_of.isoformat())
        return table

    async def _through_breaker(self) -> RateTable:
        breaker = await self._breakers.get_breaker(
            self._circuit, exclude=[(BaseException, _not_unavailable)]
        )
        try:
            async with breaker:
                return await self._inner.fetch()
        except OpenedState:
            raise CircuitOpen(f"circuit {self._circuit} is open: publisher not called") from None

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after_s", None) or 0.0
        return max(self._backoff(state), retry_after)

    def _before_retry(self, state: RetryCallState) -> None:
        log.warning(
            "exchange_rates_retry",
            publisher=self.name,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=str(state.outcome.exception() if state.outcome else None),
        )


def _not_unavailable(error: BaseException) -> bool:
    return not isinstance(error, PublisherUnavailable)
