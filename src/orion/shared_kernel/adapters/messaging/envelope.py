"""The envelope every integration event travels in, whatever the broker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class UndecodableMessage(ValueError):
    """A delivery that is not an Orion envelope: retrying cannot help."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    message_id: uuid.UUID
    type: str
    occurred_at: datetime
    correlation_id: str | None
    causation_id: str | None
    traceparent: str | None
    tracestate: str | None
    aggregate_id: uuid.UUID
    aggregate_version: int
    payload: dict[str, Any]
    source: str = field(default="")  # the producing module (its schema)
