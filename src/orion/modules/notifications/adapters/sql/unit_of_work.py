"""The notifications module's unit of work: its email log, inbox and outbox."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.notifications.domain.email import Email
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork

from .tables import emails, inbox, outbox


class SqlEmailLog:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, email: Email, *, message_id: str) -> bool:
        result = await self._connection.execute(
            insert(emails)
            .values(
                id=email.id,
                message_id=message_id,
                recipient=email.to,
                template=email.template,
                subject=email.subject,
            )
            .on_conflict_do_nothing()
        )
        return result.rowcount == 1


class SqlNotificationsUnitOfWork(SqlUnitOfWork):
    emails: SqlEmailLog

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox, inbox)

    def _open(self, connection: AsyncConnection) -> None:
        self.emails = SqlEmailLog(connection)
