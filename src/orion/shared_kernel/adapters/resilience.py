"""Resilience shared by every adapter that calls a remote service over the network (the
payment provider, the exchange-rate publishers): one resilient call (brief retries, bounded,
each attempt through a circuit breaker), a process-wide retry budget, circuit breakers
shared through Redis, and ``Retry-After`` as RFC 9110 writes it.

tenacity and purgatory are used here and in adapters only (DESIGN.md §5).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import structlog
from purgatory import AsyncCircuitBreakerFactory, AsyncRedisUnitOfWork, Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.domain.model import OpenedState
from purgatory.service._async.repository import AsyncRedisRepository
from structlog.typing import FilteringBoundLogger
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

log = structlog.get_logger("orion.resilience")

T = TypeVar("T")


class RetryBudget:
    """Retries allowed to the whole process: at most ``ratio`` of the calls begun in the last
    ``window_s`` seconds, and never fewer than ``floor``. When a provider fails for everyone,
    per-call retries alone would multiply its load by the attempts; this caps it near
    ``1 + ratio``."""

    def __init__(
        self,
        *,
        ratio: float = 0.2,
        window_s: float = 10.0,
        floor: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ratio, self._window_s, self._floor, self._clock = ratio, window_s, floor, clock
        self._calls: deque[float] = deque()
        self._retries: deque[float] = deque()

    def record_call(self) -> None:
        self._calls.append(self._clock())

    def spend(self) -> None:
        self._retries.append(self._clock())

    def exhausted(self) -> bool:
        horizon = self._clock() - self._window_s
        for moments in (self._calls, self._retries):
            while moments and moments[0] < horizon:
                moments.popleft()
        return len(self._retries) >= max(self._floor, self._ratio * len(self._calls))


class ResilientCall:
    """Calls to one remote service, each retried briefly and each attempt made through the
    service's circuit breaker (ADR 11).

    A transient failure is retried at once, in the caller, so a blip costs a second; but
    only briefly, bounded three ways: ``max_attempts``; the call's ``time_budget_s`` (a wait
    that would overrun it is not begun: the error is re-raised at once); and, when given, the
    process's ``retry_budget``, so that an outage does not multiply the service's load by the
    attempts. Only ``unavailable`` is retried, after ``max(exponential backoff with jitter,
    its retry_after_s)`` (the service's ``Retry-After``), and only it counts as a failure
    for the breaker: any other error is an answer, or a bug of ours, and is raised as it is.
    An open breaker raises ``circuit_open`` without calling, and that is not retried, since
    the breaker will not close within a call's budget.

    Retries are logged as ``<log_as>_retry`` on ``log`` (bound to name the service).
    """

    def __init__(
        self,
        circuit: str,
        breakers: AsyncCircuitBreakerFactory,
        *,
        unavailable: type[Exception],
        circuit_open: type[Exception],
        max_attempts: int,
        time_budget_s: float,
        backoff_s: float,
        max_backoff_s: float,
        retry_budget: RetryBudget | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        log: FilteringBoundLogger,
        log_as: str,
    ) -> None:
        self._circuit = circuit
        self._breakers = breakers
        self._unavailable = unavailable
        self._circuit_open = circuit_open
        self._bounds = stop_after_attempt(max_attempts) | stop_before_delay(time_budget_s)
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_s, max=max_backoff_s, jitter=backoff_s
        )
        self._retry_budget = retry_budget
        self._sleep = sleep
        self._log = log
        self._log_as = log_as

    async def __call__(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """``attempt()`` until it answers or a bound is reached (its last error is raised)."""
        if self._retry_budget is not None:
            self._retry_budget.record_call()
        retrying = AsyncRetrying(
            retry=retry_if_exception(self._transient),
            wait=self._wait,
            stop=self._stop,
            sleep=self._sleep,
            before_sleep=self._before_retry,
            reraise=True,
        )
        result: T = await retrying(self._through_breaker, attempt)
        return result

    async def circuit_state(self) -> str:
        return await circuit_state(self._breakers, self._circuit)

    async def _through_breaker(self, attempt: Callable[[], Awaitable[T]]) -> T:
        breaker = await self._breakers.get_breaker(
            self._circuit, exclude=[(BaseException, self._answered)]
        )
        try:
            async with breaker:
                return await attempt()
        except OpenedState:
            raise self._circuit_open(f"circuit {self._circuit} is open: not called") from None

    def _answered(self, error: BaseException) -> bool:
        """Breaker exclusion: only the service's unavailability counts as a failure."""
        return not isinstance(error, self._unavailable)

    def _transient(self, error: BaseException) -> bool:
        return isinstance(error, self._unavailable) and not isinstance(error, self._circuit_open)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after_s", None) or 0.0
        return max(self._backoff(state), retry_after)

    def _stop(self, state: RetryCallState) -> bool:
        if self._bounds(state):
            return True
        if self._retry_budget is not None and self._retry_budget.exhausted():
            self._log.warning(f"{self._log_as}_retry_budget_spent")
            return True
        return False

    def _before_retry(self, state: RetryCallState) -> None:
        if self._retry_budget is not None:
            self._retry_budget.spend()
        self._log.warning(
            f"{self._log_as}_retry",
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=str(state.outcome.exception() if state.outcome else None),
        )


def breakers(
    redis_url: str | None,
    threshold: int,
    ttl_s: float,
    *,
    log_event: str = "circuit_state_changed",
) -> AsyncCircuitBreakerFactory:
    """Circuit breakers whose state lives in Redis when a URL is given, so every process sees
    a provider's breaker open at once; else in this process's memory. A breaker keeps the
    threshold and ttl it was first created with in Redis: delete its ``cbr::<circuit>`` keys
    to change them. Nothing to initialize: purgatory's Redis client connects on first use.
    Each change of state is logged as ``log_event``."""
    storage = AsyncRedisUnitOfWork(redis_url) if redis_url else None
    factory = AsyncCircuitBreakerFactory(
        default_threshold=threshold, default_ttl=ttl_s, uow=storage
    )

    def log_state_change(circuit: str, kind: str, event: Event) -> None:
        if isinstance(event, ContextChanged):
            log.warning(log_event, circuit=circuit, state=event.state)

    factory.add_listener(log_state_change)
    return factory


async def circuit_state(factory: AsyncCircuitBreakerFactory, circuit: str) -> str:
    """A breaker's last recorded state (``closed``, ``opened``, ``half-opened``), for
    metrics: it reads ``opened`` past its ttl until a call tries the dependency again."""
    async with factory.uow as uow:
        context = await uow.contexts.get(circuit)
    return "closed" if context is None else str(context.state)


async def close_breakers(factory: AsyncCircuitBreakerFactory) -> None:
    """Closes the Redis connections of breakers made by ``breakers`` (nothing in memory)."""
    if isinstance(factory.uow.contexts, AsyncRedisRepository):
        await factory.uow.contexts.redis.aclose()


def retry_after_s(value: str | None) -> float | None:
    """``Retry-After`` in seconds or as an HTTP date (RFC 9110 §10.2.3); None if absent or
    unreadable, so a garbled header falls back to the usual backoff."""
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC by RFC 5322, but parsed as naive
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
