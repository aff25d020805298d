"""Base types of what travels through the mediator and between modules.

Commands change state (imperative names: ``CreateProduct``); queries read it (``GetProduct``);
integration events are public facts a module publishes (``ProductCreatedV1``) with a stable
wire name that is never derived from the class name.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Generic[R]):
    """Asks a module to change something; its handler returns ``R``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Query(Generic[R]):
    """Asks a module for data; its handler returns ``R`` and changes nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationEvent:
    """A public fact, made only of primitives so that its JSON form is its contract."""

    wire_name: ClassVar[str]

    aggregate_id: uuid.UUID
    aggregate_version: int
    occurred_at: datetime

    def to_payload(self) -> dict[str, Any]:
        return {
            field.name: _to_primitive(getattr(self, field.name))
            for field in dataclasses.fields(self)
        }


def _to_primitive(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_to_primitive(item) for item in value]
    return value
