"""The payments module's one mapper from what a payment recorded to its public events,
applied by the unit of work on commit. Every event carries the payment's state as it is
then: the amount, the provider's references, the decline code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orion.modules.payments.contracts.events import (
    PaymentCapturedV1,
    PaymentFailedV1,
    PaymentRefundedV1,
)
from orion.modules.payments.domain.payment import (
    Payment,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
)
from orion.shared_kernel.application.messages import IntegrationEvent


def integration_events(aggregate: object, recorded: Sequence[object]) -> list[IntegrationEvent]:
    if not isinstance(aggregate, Payment):
        raise TypeError(f"payments publish nothing for a {type(aggregate).__name__}")
    return [_payment_event(aggregate, event) for event in recorded]


def _payment_event(payment: Payment, event: object) -> IntegrationEvent:
    about: dict[str, Any] = {
        "aggregate_id": payment.id,
        "aggregate_version": payment.version,
        "order_id": payment.order_id,
        "amount": payment.amount.amount,
        "currency": payment.amount.currency,
    }
    match event:
        case PaymentCaptured(at=at):
            return PaymentCapturedV1(
                occurred_at=at, provider_reference=payment.provider_reference or "", **about
            )
        case PaymentFailed(at=at):
            return PaymentFailedV1(occurred_at=at, reason=payment.failure_reason or "", **about)
        case PaymentRefunded(at=at):
            return PaymentRefundedV1(
                occurred_at=at,
                provider_reference=payment.provider_reference or "",
                refund_reference=payment.refund_reference or "",
                **about,
            )
    raise TypeError(f"no integration event for {type(event).__name__}")
