"""Identifiers: UUIDv7, time-ordered so that new rows land at the end of a B-tree index."""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    """A fresh UUIDv7 (RFC 9562)."""
    return uuid.UUID(int=uuid7().int)
