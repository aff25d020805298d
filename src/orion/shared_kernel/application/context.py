"""What a unit of work inherits from the request or message that caused it.

The HTTP adapter sets the correlation id per request; a consumer sets it from the message
it handles, with the message's id as causation. The outbox copies both into every event
written, so a worker's log lines join the request's even when the relay publishes later.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """The admin whose page asked for this change, and what they did (``orders.ship``)."""

    user_id: uuid.UUID
    email: str
    action: str


# Set by the admin dashboard for one write: the unit of work then records, in the change's
# own transaction, each aggregate it changed, before and after (``adapters/sql/audit.py``).
actor: ContextVar[Actor | None] = ContextVar("actor", default=None)
