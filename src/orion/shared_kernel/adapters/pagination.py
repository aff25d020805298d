"""Opaque cursors for keyset pagination: the sort key of the last row, base64url JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from orion.shared_kernel.domain.errors import InvalidInput


class InvalidCursor(InvalidInput):
    code = "invalid-cursor"
    title = "Invalid cursor"


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor("the cursor is not one this API returned") from None
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor("the cursor is not one this API returned")
    return values
