"""Plain records to JSON-ready primitives and back, guided by type hints.

Handles str, int, bool, None, UUIDs, datetimes, enums, ``X | None``, lists and tuples of
those, and frozen dataclasses made of them. Integration events travel in this form, and
the ordering module keeps idempotent responses in it.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
import uuid
from datetime import datetime
from typing import Any


def to_primitive(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_primitive(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_primitive(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    return value


def from_primitive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType):  # ``X | None``: the value is an X
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if hint is uuid.UUID:
        return uuid.UUID(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = type_hints(hint)
        return hint(
            **{
                field.name: from_primitive(hints[field.name], value[field.name])
                for field in dataclasses.fields(hint)
                if field.name in value
            }
        )
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        return [from_primitive(item, element) for element in value]
    if origin is tuple:  # ``tuple[X, ...]``
        item = typing.get_args(hint)[0]
        return tuple(from_primitive(item, element) for element in value)
    return value


def type_hints(cls: type) -> dict[str, Any]:
    """Resolved once per class: resolving them is a third of a consumer's work."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


_HINTS: dict[type, dict[str, Any]] = {}
