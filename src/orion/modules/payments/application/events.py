"""The public events for what a payment recorded since it was loaded."""

from __future__ import annotations

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


def integration_events(payment: Payment) -> list[IntegrationEvent]:
    about: dict[str, Any] = {
        "aggregate_id": payment.id,
        "aggregate_version": payment.version,
        "order_id": payment.order_id,
        "amount": payment.amount.amount,
        "currency": payment.amount.currency,
    }
    events: list[IntegrationEvent] = []
    for event in payment.pull_events():
        match event:
            case PaymentCaptured(at=at):
                events.append(
                    PaymentCapturedV1(
                        occurred_at=at, provider_reference=payment.provider_reference or "", **about
                    )
                )
            case PaymentFailed(at=at):
                events.append(
                    PaymentFailedV1(occurred_at=at, reason=payment.failure_reason or "", **about)
                )
            case PaymentRefunded(at=at):
                events.append(
                    PaymentRefundedV1(
                        occurred_at=at,
                        provider_reference=payment.provider_reference or "",
                        refund_reference=payment.refund_reference or "",
                        **about,
                    )
                )
            case _:
                raise TypeError(f"no integration event for {type(event).__name__}")
    return events
