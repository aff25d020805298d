"""Golden JSON files of published events: the wire name and payload are a contract with every
consumer; a change that breaks one is a new version (…V2), never an edit.

Set ORION_WRITE_GOLDEN=1 to write a missing golden file (never to overwrite one)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from orion.shared_kernel.application.messages import IntegrationEvent

BASE = {
    "aggregate_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-5d2e8f1a2b3c"),
    "aggregate_version": 3,
    "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
}


def published_events(events: ModuleType) -> set[type[IntegrationEvent]]:
    return {
        cls
        for cls in vars(events).values()
        if isinstance(cls, type)
        and issubclass(cls, IntegrationEvent)
        and hasattr(cls, "wire_name")  # not a base class such as OrderEventV1
    }


def assert_matches_golden(event: IntegrationEvent, folder: Path) -> None:
    path = folder / f"{event.wire_name}.json"
    produced = {"type": event.wire_name, "payload": event.to_payload()}
    if not path.exists() and os.environ.get("ORION_WRITE_GOLDEN") == "1":
        path.write_text(json.dumps(produced, indent=2) + "\n")
    assert produced == json.loads(path.read_text())


def assert_golden_decodes(event: IntegrationEvent, folder: Path) -> None:
    """What a consumer does: rebuild the event from the golden payload."""
    golden = json.loads((folder / f"{event.wire_name}.json").read_text())
    assert type(event).from_payload(golden["payload"]) == event
