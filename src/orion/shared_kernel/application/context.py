"""What a unit of work inherits from the request or message that caused it.

The HTTP adapter sets the correlation id per request; a consumer sets it from the message
it handles, with the message's id as causation. The outbox copies both into every event
written, so a worker's log lines join the request's even when the relay publishes later.
"""

from __future__ import annotations

from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)
