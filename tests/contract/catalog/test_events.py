"""Each published catalog event against its golden JSON: the wire name and the payload are a
contract with every consumer. A change that breaks one of these is a new version (…V2).

Set ORION_WRITE_GOLDEN=1 to write a missing golden file (never to overwrite one)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orion.modules.catalog.contracts import events
from orion.shared_kernel.application.messages import IntegrationEvent

GOLDEN = Path(__file__).parent / "golden"
BASE = {
    "aggregate_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-5d2e8f1a2b3c"),
    "aggregate_version": 3,
    "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
}
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
]


def test_every_published_event_has_a_sample() -> None:
    published = {
        cls
        for cls in vars(events).values()
        if isinstance(cls, type)
        and issubclass(cls, IntegrationEvent)
        and cls is not IntegrationEvent
    }
    assert published == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_event_matches_its_golden_json(event: IntegrationEvent) -> None:
    path = GOLDEN / f"{event.wire_name}.json"
    produced = {"type": event.wire_name, "payload": event.to_payload()}
    if not path.exists() and os.environ.get("ORION_WRITE_GOLDEN") == "1":
        path.write_text(json.dumps(produced, indent=2) + "\n")
    golden = json.loads(path.read_text())
    assert produced == golden


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_golden_json_decodes_back_to_the_event(event: IntegrationEvent) -> None:
    """What a consumer does: rebuild the event from the golden payload."""
    golden = json.loads((GOLDEN / f"{event.wire_name}.json").read_text())
    payload = dict(golden["payload"])
    payload["aggregate_id"] = uuid.UUID(payload["aggregate_id"])
    payload["occurred_at"] = datetime.fromisoformat(payload["occurred_at"])
    assert type(event)(**payload) == event
