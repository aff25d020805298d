"""The catalog's published events against their golden JSON (see tests/contract/golden.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from orion.modules.catalog.contracts import events
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.contract.golden import (
    BASE,
    assert_golden_decodes,
    assert_matches_golden,
    published_events,
)

GOLDEN = Path(__file__).parent / "golden"
MUG = uuid.UUID("0192f0c1-7d3a-7b6e-9c41-000000000001")
CUP = uuid.UUID("0192f0c1-7d3a-7b6e-9c41-000000000002")
RESERVED_LINES = [
    events.ReservedLineV1(product_id=MUG, quantity=2),
    events.ReservedLineV1(product_id=CUP, quantity=1),
]
SAMPLES: list[IntegrationEvent] = [
    events.ProductCreatedV1(
        **BASE,
        sku="TSHIRT-RED-M",
        name="T-shirt",
        description="Red, medium.",
        category="Apparel",
        price_amount=1999,
        price_currency="EUR",
        stock=12,
        active=True,
    ),
    events.ProductUpdatedV1(
        **BASE,
        changed=["name", "price"],
        sku="TSHIRT-RED-M",
        name="Red T-shirt",
        description="Red, medium.",
        category="Apparel",
        price_amount=1799,
        price_currency="EUR",
        active=True,
    ),
    events.ProductPriceChangedV1(
        **BASE,
        sku="TSHIRT-RED-M",
        old_amount=1999,
        old_currency="EUR",
        new_amount=1799,
        new_currency="EUR",
    ),
    events.ProductDeletedV1(**BASE, sku="TSHIRT-RED-M"),
    events.StockAdjustedV1(**BASE, sku="TSHIRT-RED-M", delta=-2, stock=10, reason="damaged"),
    events.StockReservedV1(**BASE, lines=RESERVED_LINES),
    events.StockReservationFailedV1(**BASE, reason="out_of_stock", product_ids=[MUG, CUP]),
    events.StockReleasedV1(**BASE, lines=RESERVED_LINES),
]


def test_every_published_event_has_a_sample() -> None:
    assert published_events(events) == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_event_matches_its_golden_json(event: IntegrationEvent) -> None:
    assert_matches_golden(event, GOLDEN)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_golden_json_decodes_back_to_the_event(event: IntegrationEvent) -> None:
    assert_golden_decodes(event, GOLDEN)
