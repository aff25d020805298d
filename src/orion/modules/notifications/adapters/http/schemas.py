"""The notifications API's query and response shapes (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from orion.modules.notifications.application.queries import MAX_PAGE, NotificationView

StatusName = Literal["sent", "failed"]


class NotificationListQuery(BaseModel):
    status: StatusName | None = None
    recipient: str | None = Field(
        default=None, min_length=1, max_length=320, description="An email address, any case."
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="Above 100 is refused (422).")
    cursor: str | None = Field(default=None, max_length=512)


class NotificationOut(BaseModel):
    id: uuid.UUID
    message_id: str = Field(description="The event the email answers.")
    recipient: str
    template: str
    subject: str
    status: StatusName
    attempts: int = Field(description="Sends tried, the successful one included.")
    last_error: str | None = Field(description="Why the last failed attempt failed.")
    created_at: datetime = Field(description="The first attempt.")
    updated_at: datetime
    sent_at: datetime | None


class NotificationPageOut(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


def notification_json(view: NotificationView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "message_id": view.message_id,
        "recipient": view.recipient,
        "template": view.template,
        "subject": view.subject,
        "status": view.status.value,
        "attempts": view.attempts,
        "last_error": view.last_error,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "sent_at": None if view.sent_at is None else view.sent_at.isoformat(),
    }
