"""Retries and a circuit breaker around any payment gateway (ADR 0011).

A transient failure is retried at once, in the worker, with the same idempotency key, so a
blip costs a second rather than a trip down the RabbitMQ retry ladder. But only briefly: a
call has a few attempts and a time budget, and the whole process a retry budget, after which
the error is re-raised and the message waits on the ladder instead of holding the worker.
The circuit breaker, shared between processes through Redis, stops calling a provider that
keeps failing and lets one call through after its ttl to see whether it is back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
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
from orion.shared_kernel.adapters.resilience import RetryBudget, circuit_state, close_breakers
from orion.shared_kernel.adapters.resilience import breakers as shared_breakers
from orion.shared_kernel.domain.money import Money

__all__ = [
    "CircuitOpen",
    "ResilientGateway",
    "RetryBudget",
    "breakers",
    "close_breakers",
]

log = structlog.get_logger("orion.payments.gateway")

T = TypeVar("T")


class CircuitOpen(GatewayUnavailable):
    """The breaker is open: the provider was not called. Not retried here, since the breaker
    will not close within a call's budget; the message waits on the retry ladder."""


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

    async def circuit_state(self) -> str:
        return await circuit_state(self._breakers, self._circuit)

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
    """The shared kernel's breakers (in Redis when a URL is given), logged as payments'."""
    return shared_breakers(redis_url, threshold, ttl_s, log_event="payment_circuit_state_changed")


def _transient(error: BaseException) -> bool:
    return isinstance(error, GatewayUnavailable) and not isinstance(error, CircuitOpen)


def _not_unavailable(error: BaseException) -> bool:
    """Breaker exclusion: only the provider's unavailability counts as a failure."""
    return not isinstance(error, GatewayUnavailable)
