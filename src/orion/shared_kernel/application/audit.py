"""The audit log: every admin write, who made it, what it was, when, and the values it
changed (before and after), kept by each module in the change's own transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    id: uuid.UUID
    at: datetime
    module: str
    actor_id: uuid.UUID
    actor_email: str
    action: str
    subject: str  # the aggregate's kind and id: ``Order 0192...``
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListAuditLog(Query[list[AuditRecord]]):
    """Newest first, across every module; ``before`` pages on (older than that record's
    time); the filters match exactly, ``subject`` as a substring."""

    module: str | None = None
    action: str | None = None
    actor_email: str | None = None
    subject: str | None = None
    before: datetime | None = None
    limit: int = 50
