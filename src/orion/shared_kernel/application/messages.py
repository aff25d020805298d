"""Base types of what travels through the mediator and between modules.

Commands change state (imperative names: ``CreateProduct``); queries read it (``GetProduct``);
integration events are public facts a module publishes (``ProductCreatedV1``) with a stable
wire name that is never derived from the class name.

An event's fields are what ``primitives`` turns into JSON and back: its JSON form follows
from its type hints.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

from .primitives import from_primitive, to_primitive, type_hints

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
            field.name: to_primitive(getattr(self, field.name))
            for field in dataclasses.fields(self)
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """The event back from its JSON form; fields it does not know are ignored, so that a
        producer may add optional fields without breaking its consumers."""
        hints = type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            if field.name in payload:
                values[field.name] = from_primitive(hints[field.name], payload[field.name])
        return cls(**values)
