"""The embedded payment provider: in-process, deterministic by card token.

It lets a shop run, and every payment path be exercised end to end, with no provider
account: the token chooses the outcome, so a test or a demo picks a success, a decline, a
transient failure or a timeout. Like a real provider it remembers each charge by its
idempotency key, so a retried or redelivered charge is answered, never charged again.

Tokens: ``tok_visa`` succeeds; ``tok_declined`` is declined ``card_declined``;
``tok_insufficient_funds`` is declined ``insufficient_funds``; ``tok_flaky`` fails
transiently twice per key, then succeeds; ``tok_timeout`` waits ``timeout_s`` and fails
transiently on every call; any other token is declined ``invalid_token``.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from orion.modules.payments.application.gateway import (
    Charge,
    ChargeRequest,
    GatewayUnavailable,
)
from orion.shared_kernel.domain.money import Money

CAPTURES = {"tok_visa", "tok_flaky"}
DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}
FLAKY, FLAKY_FAILURES = "tok_flaky", 2
TIMES_OUT = "tok_timeout"


class SimulatedGateway:
    name = "simulated"

    def __init__(self, *, timeout_s: float = 5.0) -> None:
        self._timeout_s = timeout_s
        self._charges: dict[str, Charge] = {}
        self._refunds: dict[str, str] = {}
        self._failures: Counter[str] = Counter()

    async def charge(self, request: ChargeRequest) -> Charge:
        if request.key in self._charges:
            return self._charges[request.key]
        if request.token == TIMES_OUT:
            await asyncio.sleep(self._timeout_s)
            raise GatewayUnavailable("simulated provider timed out")
        if request.token == FLAKY and self._failures[request.key] < FLAKY_FAILURES:
            self._failures[request.key] += 1
            raise GatewayUnavailable("simulated provider failed transiently")
        reference = f"sim_ch_{len(self._charges) + 1}"
        if request.token in CAPTURES:
            charge = Charge(reference=reference, status="captured")
        else:
            code = DECLINES.get(request.token, "invalid_token")
            charge = Charge(reference=reference, status="declined", decline_code=code)
        self._charges[request.key] = charge
        return charge

    async def find_charge(self, key: str) -> Charge | None:
        return self._charges.get(key)

    async def refund(self, *, key: str, charge_reference: str, amount: Money) -> str:
        """Raises ``LookupError`` for a reference that is not a captured charge made here:
        the caller refunds only what it captured, so that is a bug, not an outcome."""
        if key not in self._refunds:
            captured = {c.reference for c in self._charges.values() if c.status == "captured"}
            if charge_reference not in captured:
                raise LookupError(f"no captured charge {charge_reference!r} to refund")
            self._refunds[key] = f"sim_re_{len(self._refunds) + 1}"
        return self._refunds[key]
