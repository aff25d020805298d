"""The notifications module's unit of work: its notification log, inbox and outbox.

The module publishes no event: an email sent is no fact another module acts on, and its log
rows are no aggregate, so it gives no mapper (the default refuses any recorded event)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork

from .log import attempt
from .tables import emails, inbox, outbox


class SqlEmailLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def status(self, email_id: uuid.UUID) -> EmailStatus | None:
        status = await self._connection.scalar(
            sa.select(emails.c.status).where(emails.c.id == email_id).with_for_update()
        )
        return None if status is None else EmailStatus(status)

    async def sent(self, email: Email, *, message_id: str) -> None:
        await self._connection.execute(
            attempt(email, message_id=message_id, status=EmailStatus.SENT, error=None)
        )


class SqlNotificationsUnitOfWork(SqlUnitOfWork):
    emails: SqlEmailLog

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox, inbox)

    def _open(self, connection: AsyncConnection) -> None:
        self.emails = SqlEmailLog(connection)
