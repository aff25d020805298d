"""Base types of what travels through the mediator and between modules.

Commands change state (imperative names: ``CreateProduct``); queries read it (``GetProduct``);
integration events are public facts a module publishes (``ProductCreatedV1``) with a stable
wire name that is never derived from the class name.

An event's fields are primitives, UUIDs, datetimes, lists of those, or lists of frozen
dataclasses made of them (an order's lines): the JSON form follows from the type hints.
"""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

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

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """The event back from its JSON form; fields it does not know are ignored, so that a
        producer may add optional fields without breaking its consumers."""
        hints = _type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            if field.name in payload:
                values[field.name] = _from_primitive(hints[field.name], payload[field.name])
        return cls(**values)


def _type_hints(cls: type) -> dict[str, Any]:
    """Resolved once per event class: resolving them is a third of a consumer's work."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


_HINTS: dict[type, dict[str, Any]] = {}


def _from_primitive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType):  # ``X | None``: the value is an X
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if hint is uuid.UUID:
        return uuid.UUID(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if dataclasses.is_dataclass(hint):
        hints = _type_hints(hint)
        return hint(
            **{
                field.name: _from_primitive(hints[field.name], value[field.name])
                for field in dataclasses.fields(hint)
                if field.name in value
            }
        )
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return [_from_primitive(item, element) for element in value]
    return value


def _to_primitive(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_to_primitive(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: _to_primitive(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    return value
