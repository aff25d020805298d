"""The notification log as the admin dashboard reads it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailRecord:
    id: uuid.UUID
    recipient: str
    template: str
    subject: str
    status: str  # sent, failed
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailPage:
    items: list[EmailRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListEmails(Query[EmailPage]):
    """Newest first; ``recipient`` regardless of case."""

    status: Literal["sent", "failed"] | None = None
    recipient: str | None = None
    limit: int = 20
    cursor: str | None = None
