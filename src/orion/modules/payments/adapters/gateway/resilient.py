"""Retries and a circuit breaker around any payment gateway (ADR 0011).

A transient failure is retried at once, in the worker, with the same idempotency key, so a
blip costs a second rather than a trip down the RabbitMQ retry ladder. But only briefly: a
call has a few attempts and a time budget, and the whole process a retry budget, after which
the error is re-raised and the message waits on the ladder instead of holding the worker.
The circuit breaker, shared between processes through Redis, stops calling a provider that
keeps failing and lets one call through after its ttl to see whether it is back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from purgatory import AsyncCircuitBreakerFactory, AsyncRedisUnitOfWork, Event
from purgatory.domain.messages.events import ContextChanged
from purgatory.domain.model import OpenedState
from purgatory.service._async.repository import AsyncRedisRepository
from purgatory.typing import StateName
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from orion.modules.payments.application.gateway import (
    Charge,
    ChargeRequest,
    GatewayUnavailable,
    PaymentGateway,
)
from orion.shared_kernel.domain.money import Money

log = structlog.get_logger("orion.payments.gateway")

T = TypeVar("T")


class CircuitOpen(GatewayUnavailable):
    """The breaker is open: the provider was not called. Not retried here, since the breaker
    will not close within a call's budget; the message waits on the retry ladder."""


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


class ResilientGateway:
    """The same port, with retries inside each call and a breaker around each attempt.

    Retries only ``GatewayUnavailable``, after ``max(exponential backoff with jitter, the
    provider's Retry-After)``, until ``max_attempts``, the call's ``time_budget_s`` (a wait
    that would overrun it is not begun: the error is re-raised at once) or the process's
    ``retry_budget`` is spent. A decline is an answer, so it is neither retried nor counted
    by the breaker; nor is ``RequestRejected`` or any other bug of ours.
    """

    def __init__(
        self,
        inner: PaymentGateway,
        breakers: AsyncCircuitBreakerFactory,
        *,
        max_attempts: int = 4,
        time_budget_s: float = 15.0,
        backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        retry_budget: RetryBudget | None = None,
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._breakers = breakers
        self._circuit = f"payments.{inner.name}"
        self._retry_budget = retry_budget or RetryBudget()
        self._bounds = stop_after_attempt(max_attempts) | stop_before_delay(time_budget_s)
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_s, max=max_backoff_s, jitter=backoff_s
        )

    async def charge(self, request: ChargeRequest) -> Charge:
        return await self._call(lambda: self._inner.charge(request))

    async def find_charge(self, key: str) -> Charge | None:
        return await self._call(lambda: self._inner.find_charge(key))

    async def refund(self, *, key: str, charge_reference: str, amount: Money) -> str:
        return await self._call(
            lambda: self._inner.refund(key=key, charge_reference=charge_reference, amount=amount)
        )

    async def circuit_state(self) -> StateName:
        """The breaker's last recorded state, for metrics: it reads ``opened`` past its ttl
        until a call tries the provider again."""
        async with self._breakers.uow as uow:
            context = await uow.contexts.get(self._circuit)
        return "closed" if context is None else context.state

    async def _call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        self._retry_budget.record_call()
        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            wait=self._wait,
            stop=self._stop,
            before_sleep=self._before_retry,
            reraise=True,
        )
        result: T = await retrying(self._through_breaker, attempt)
        return result

    async def _through_breaker(self, attempt: Callable[[], Awaitable[T]]) -> T:
        breaker = await self._breakers.get_breaker(
            self._circuit, exclude=[(BaseException, _not_unavailable)]
        )
        try:
            async with breaker:
                return await attempt()
        except OpenedState:
            raise CircuitOpen(f"circuit {self._circuit} is open: provider not called") from None

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after_s", None) or 0.0
        return max(self._backoff(state), retry_after)

    def _stop(self, state: RetryCallState) -> bool:
        if self._bounds(state):
            return True
        if self._retry_budget.exhausted():
            log.warning("payment_retry_budget_spent", provider=self.name)
            return True
        return False

    def _before_retry(self, state: RetryCallState) -> None:
        self._retry_budget.spend()
        log.warning(
            "payment_provider_retry",
            provider=self.name,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 3),
            error=str(state.outcome.exception() if state.outcome else None),
        )


def breakers(redis_url: str | None, threshold: int, ttl_s: float) -> AsyncCircuitBreakerFactory:
    """Circuit breakers whose state lives in Redis when a URL is given, so every process sees
    a provider's breaker open at once; else in this process's memory. A breaker keeps the
    threshold and ttl it was first created with in Redis: delete its ``cbr::<circuit>`` keys
    to change them. Nothing to initialize: purgatory's Redis client connects on first use."""
    storage = AsyncRedisUnitOfWork(redis_url) if redis_url else None
    factory = AsyncCircuitBreakerFactory(
        default_threshold=threshold, default_ttl=ttl_s, uow=storage
    )
    factory.add_listener(_log_state_change)
    return factory


async def close_breakers(factory: AsyncCircuitBreakerFactory) -> None:
    """Closes the Redis connections of breakers made by ``breakers`` (nothing in memory)."""
    if isinstance(factory.uow.contexts, AsyncRedisRepository):
        await factory.uow.contexts.redis.aclose()


def _transient(error: BaseException) -> bool:
    return isinstance(error, GatewayUnavailable) and not isinstance(error, CircuitOpen)


def _not_unavailable(error: BaseException) -> bool:
    """Breaker exclusion: only the provider's unavailability counts as a failure."""
    return not isinstance(error, GatewayUnavailable)


def _log_state_change(circuit: str, kind: str, event: Event) -> None:
    if isinstance(event, ContextChanged):
        log.warning("payment_circuit_state_changed", circuit=circuit, state=event.state)
