"""What the notifications module answers: its log, for admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.modules.notifications.domain.email import EmailStatus
from orion.shared_kernel.application.messages import Query

MAX_PAGE = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationView:
    id: uuid.UUID
    message_id: str
    recipient: str
    template: str
    subject: str
    status: EmailStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationPage:
    items: list[NotificationView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListNotifications(Query[NotificationPage]):
    """The log newest first (by first attempt); ``recipient`` matches regardless of case."""

    status: EmailStatus | None = None
    recipient: str | None = None
    limit: int = 20
    cursor: str | None = None
