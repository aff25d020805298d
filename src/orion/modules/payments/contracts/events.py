"""Events the payments module publishes. ``aggregate_id`` is the payment id; ``order_id``
the order it pays for; amounts are minor units of ``currency``.

A wire name is forever: a breaking change is a new class with a new version (``…V2``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from orion.shared_kernel.application.messages import IntegrationEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentEventV1(IntegrationEvent):
    order_id: uuid.UUID
    amount: int
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentCapturedV1(PaymentEventV1):
    """The money is taken; ``provider_reference`` names the charge at the provider."""

    wire_name: ClassVar[str] = "payments.payment_captured.v1"

    provider_reference: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFailedV1(PaymentEventV1):
    """The provider declined the charge (a business outcome, not retried). ``reason`` is the
    provider's decline code, e.g. ``card_declined`` or ``insufficient_funds``."""

    wire_name: ClassVar[str] = "payments.payment_failed.v1"

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRefundedV1(PaymentEventV1):
    """The captured payment went back to the customer (the order was cancelled)."""

    wire_name: ClassVar[str] = "payments.payment_refunded.v1"

    provider_reference: str
    refund_reference: str
