"""Integration events to JSON and back, nested records and optional fields included."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from orion.shared_kernel.application.messages import IntegrationEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipped(IntegrationEvent):
    wire_name: ClassVar[str] = "test.shipped.v1"

    lines: list[Line]
    parcel_ids: list[uuid.UUID]
    delivered_at: datetime | None
    note: str | None = None


def test_nested_records_uuids_and_optional_datetimes_round_trip() -> None:
    event = Shipped(
        aggregate_id=uuid.uuid4(),
        aggregate_version=2,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        lines=[Line(product_id=uuid.uuid4(), quantity=3)],
        parcel_ids=[uuid.uuid4()],
        delivered_at=datetime(2026, 1, 3, tzinfo=UTC),
    )
    payload = event.to_payload()
    assert payload["lines"] == [{"product_id": str(event.lines[0].product_id), "quantity": 3}]
    assert payload["parcel_ids"] == [str(event.parcel_ids[0])]
    assert Shipped.from_payload(payload) == event


def test_a_missing_optional_field_takes_its_default_and_none_stays_none() -> None:
    payload = Shipped(
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        lines=[],
        parcel_ids=[],
        delivered_at=None,
    ).to_payload()
    del payload["note"]
    decoded = Shipped.from_payload(payload)
    assert decoded.note is None
    assert decoded.delivered_at is None
