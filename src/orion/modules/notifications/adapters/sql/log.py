"""The notification log's rows: the upsert every attempt makes, the failures recorded in
their own transaction, and the admins' list (newest first, keyset pages)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.notifications.application.queries import (
    ListNotifications,
    NotificationPage,
    NotificationView,
)
from orion.modules.notifications.contracts.queries import EmailsAbout
from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import emails


def attempt(email: Email, *, message_id: str, status: EmailStatus, error: str | None) -> Insert:
    """One attempt at ``email``: its row made on the first, counted on the next ones. A row
    already ``sent`` is left alone (the upsert updates nothing: ``rowcount`` 0)."""
    now = sa.func.now()
    sent_at = now if status is EmailStatus.SENT else None
    statement = insert(emails).values(
        id=email.id,
        message_id=message_id,
        recipient=email.to,
        template=email.template,
        subject=email.subject,
        event_type=email.event_type,
        subject_id=email.subject_id,
        status=status.value,
        attempts=1,
        last_error=error,
        created_at=now,
        updated_at=now,
        sent_at=sent_at,
    )
    changes: dict[str, Any] = {
        "status": status.value,
        "attempts": emails.c.attempts + 1,
        "updated_at": now,
        "sent_at": sent_at,
    }
    if error is not None:  # a success keeps the last error, for the admin who looks later
        changes["last_error"] = error
    return statement.on_conflict_do_update(
        index_elements=[emails.c.id],
        set_=changes,
        where=emails.c.status != EmailStatus.SENT.value,
    )


class SqlEmailRecords:
    """What the consistency auditor reads of the log: the emails answering events about
    these subjects (orders)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def about(self, subject_ids: tuple[uuid.UUID, ...]) -> list[EmailsAbout]:
        statement = (
            sa.select(emails.c.subject_id, sa.func.string_agg(emails.c.event_type, " "))
            .where(keyset.one_of(emails.c.subject_id, subject_ids))
            .group_by(emails.c.subject_id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [EmailsAbout(subject_id=s, event_types=tuple(types.split())) for s, types in rows]


class SqlNotificationLog:
    """The log outside the consumers' transactions: failures, and the admins' reads."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = autocommit(engine)

    async def record(self, email: Email, *, message_id: str, error: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                attempt(email, message_id=message_id, status=EmailStatus.FAILED, error=error)
            )

    async def list_notifications(self, query: ListNotifications) -> NotificationPage:
        key = emails.c.created_at
        statement = sa.select(emails)
        if query.status is not None:
            statement = statement.where(emails.c.status == query.status.value)
        if query.recipient is not None:
            statement = statement.where(
                sa.func.lower(emails.c.recipient) == query.recipient.lower()
            )
        if query.cursor is not None:
            statement = statement.where(
                keyset.after(key, emails.c.id, query.cursor, descending=True)
            )
        statement = statement.order_by(*keyset.order_by(key, emails.c.id, descending=True))
        async with self._reads.connect() as connection:
            rows = (await connection.execute(statement.limit(query.limit + 1))).mappings().all()
        return NotificationPage(
            items=[_view(row) for row in rows[: query.limit]],
            next_cursor=keyset.next_cursor(list(rows), key, query.limit),
        )


def _view(row: Any) -> NotificationView:
    return NotificationView(
        id=row["id"],
        message_id=row["message_id"],
        recipient=row["recipient"],
        template=row["template"],
        subject=row["subject"],
        status=EmailStatus(row["status"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
    )
