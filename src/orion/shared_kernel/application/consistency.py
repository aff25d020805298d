"""What the consistency auditor asks every module and the platform, in one shape.

Each module answers, in its own ``contracts/queries.py``, "which of my records changed in
this window" (a ``ChangedBetween``, paged by (changed_at, id)) and "what state are these
records in"; the auditor compares the answers. The platform answers for the messages between
modules: outbox rows and dead letters that have waited too long (``ListStuckMessages``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from .messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangedBetween:
    """Records whose last change fell in [``since``, ``before``) (``since`` None: from the
    start), ordered by (changed_at, id), the page after ``after``."""

    since: datetime | None
    before: datetime
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 5_000


@dataclass(frozen=True, slots=True, kw_only=True)
class StuckMessage:
    """A message that should have moved on: ``place`` is the module's outbox or the dead-letter
    queue it waits in; ``state`` ``pending``, ``parked`` or ``dead_lettered``."""

    message_id: str
    place: str
    state: str
    since: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListStuckMessages(Query[list[StuckMessage]]):
    """Outbox rows pending since before ``pending_before``, and rows parked or messages
    dead-lettered since before ``parked_before``; at most ``limit`` of each place."""

    pending_before: datetime
    parked_before: datetime
    limit: int = 100
