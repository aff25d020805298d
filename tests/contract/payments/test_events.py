"""The payments module's published events against their golden JSON (tests/contract/golden.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from orion.modules.payments.contracts import events
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.contract.golden import (
    BASE,
    assert_golden_decodes,
    assert_matches_golden,
    published_events,
)

GOLDEN = Path(__file__).parent / "golden"
PAYMENT: dict[str, Any] = {
    **BASE,
    "order_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-00000000a001"),
    "amount": 4_997,
    "currency": "EUR",
}
SAMPLES: list[IntegrationEvent] = [
    events.PaymentCapturedV1(**PAYMENT, provider_reference="ch_123"),
    events.PaymentFailedV1(**PAYMENT, reason="insufficient_funds"),
    events.PaymentRefundedV1(**PAYMENT, provider_reference="ch_123", refund_reference="re_9"),
]


def test_every_published_event_has_a_sample() -> None:
    assert published_events(events) == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_event_matches_its_golden_json(event: IntegrationEvent) -> None:
    assert_matches_golden(event, GOLDEN)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_golden_json_decodes_back_to_the_event(event: IntegrationEvent) -> None:
    assert_golden_decodes(event, GOLDEN)
