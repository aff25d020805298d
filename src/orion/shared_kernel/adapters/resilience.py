"""Resilience pieces shared by every adapter that calls a remote service over the network
(the payment provider, the exchange-rate publishers): a process-wide retry budget, circuit
breakers shared through Redis, and ``Retry-After`` as RFC 9110 writes it.

tenacity and purgatory are used here and in adapters only (DESIGN.md §5).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import structlog
from purgatory import AsyncCircuitBreakerFactory, AsyncRedisUnitOfWork, Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.service._async.repository import AsyncRedisRepository

log = structlog.get_logger("orion.resilience")


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
