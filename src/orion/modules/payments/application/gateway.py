"""The port to a payment provider, and what its adapters may answer.

Every call carries an idempotency key: the same key is the same charge (or refund) at the
provider, however often it is sent. That is what makes retries, redeliveries and
reconciliation safe: a payment's key is derived from the payment id and never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from orion.shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargeRequest:
    key: str
    amount: Money
    token: str = field(repr=False)  # a card's stand-in: kept out of logs and tracebacks
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Charge:
    reference: str
    status: Literal["captured", "declined"]
    decline_code: str | None = None


class GatewayUnavailable(Exception):
    """The provider could not answer (timeout, connection error, 5xx, 429, or the circuit
    breaker is open). Nothing is known of the call's effect: try again with the same key.
    ``retry_after_s`` is the provider's ``Retry-After`` when it sent one."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PaymentGateway(Protocol):
    name: str

    async def charge(self, request: ChargeRequest) -> Charge:
        """Charges once per key: a key seen before answers the first charge's outcome.
        Raises ``GatewayUnavailable``."""

    async def find_charge(self, key: str) -> Charge | None:
        """The charge made with this key, if the provider has one. Raises
        ``GatewayUnavailable``."""

    async def refund(self, *, key: str, charge_reference: str, amount: Money) -> str:
        """Refunds a captured charge once per key; returns the refund's reference. Raises
        ``GatewayUnavailable``."""
