"""The ordering module's published events against their golden JSON (tests/contract/golden.py)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from orion.modules.ordering.contracts import events
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.contract.golden import (
    BASE,
    assert_golden_decodes,
    assert_matches_golden,
    published_events,
)

GOLDEN = Path(__file__).parent / "golden"
ORDER: dict[str, Any] = {
    **BASE,
    "number": "ORN-000123",
    "customer_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-00000000c001"),
    "customer_email": "ada@example.com",
    "customer_name": "Ada Lovelace",
    "currency": "EUR",
    "total_amount": 4_997,
}
SAMPLES: list[IntegrationEvent] = [
    events.OrderPlacedV1(
        **ORDER,
        lines=[
            events.OrderLineV1(
                product_id=uuid.UUID("0192f0c1-7d3a-7b6e-9c41-000000000001"),
                sku="MUG-1",
                name="Mug",
                quantity=2,
                unit_price_amount=1_999,
            ),
            events.OrderLineV1(
                product_id=uuid.UUID("0192f0c1-7d3a-7b6e-9c41-000000000002"),
                sku="CUP-1",
                name="Cup",
                quantity=1,
                unit_price_amount=999,
            ),
        ],
    ),
    events.OrderAwaitingPaymentV1(**ORDER, payment_token="tok_visa"),
    events.OrderPaidV1(**ORDER),
    events.OrderShippedV1(**ORDER),
    events.OrderDeliveredV1(**ORDER),
    events.OrderCancelledV1(
        **ORDER, reason="customer_request", previous_status="paid", refund_due=True
    ),
]


def test_every_published_event_has_a_sample() -> None:
    assert published_events(events) == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_event_matches_its_golden_json(event: IntegrationEvent) -> None:
    assert_matches_golden(event, GOLDEN)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_golden_json_decodes_back_to_the_event(event: IntegrationEvent) -> None:
    assert_golden_decodes(event, GOLDEN)
