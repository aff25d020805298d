"""Retries and a circuit breaker around any payment gateway (ADR 0011), through the shared
kernel's ``ResilientCall``.

A blip costs a second rather than a trip down the RabbitMQ retry ladder; but a call has a
few attempts and a time budget, and the whole process a retry budget, after which the error
is re-raised and the message waits on the ladder instead of holding the worker. The circuit
breaker, shared between processes through Redis, stops calling a provider that keeps failing
and lets one call through after its ttl to see whether it is back.
"""

from __future__ import annotations

import structlog
from purgatory import AsyncCircuitBreakerFactory

from orion.modules.payments.application.gateway import (
    Charge,
    ChargeRequest,
    GatewayUnavailable,
    PaymentGateway,
)
from orion.shared_kernel.adapters.resilience import ResilientCall, RetryBudget, close_breakers
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


class CircuitOpen(GatewayUnavailable):
    """The breaker is open: the provider was not called. Not retried here, since the breaker
    will not close within a call's budget; the message waits on the retry ladder."""


class ResilientGateway:
    """The same port, each call a ``ResilientCall`` on the circuit ``payments.<provider>``:
    ``GatewayUnavailable`` is retried; a decline is an answer, so it is neither retried nor
    counted by the breaker; nor is ``RequestRejected`` or any other bug of ours.
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
        self._call = ResilientCall(
            f"payments.{inner.name}",
            breakers,
            unavailable=GatewayUnavailable,
            circuit_open=CircuitOpen,
            max_attempts=max_attempts,
            time_budget_s=time_budget_s,
            backoff_s=backoff_s,
            max_backoff_s=max_backoff_s,
            retry_budget=retry_budget or RetryBudget(),
            log=log.bind(provider=inner.name),
            log_as="payment_provider",
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
        return await self._call.circuit_state()


def breakers(redis_url: str | None, threshold: int, ttl_s: float) -> AsyncCircuitBreakerFactory:
    """The shared kernel's breakers (in Redis when a URL is given), logged as payments'."""
    return shared_breakers(redis_url, threshold, ttl_s, log_event="payment_circuit_state_changed")
