"""The notifications module's query handlers: the log, for admins, and the emails about
orders, for the consistency auditor. Its reactions to other modules' events are policies
(``policies.py``)."""

from __future__ import annotations

from orion.modules.notifications.contracts.log import EmailPage, EmailRecord, ListEmails
from orion.modules.notifications.contracts.queries import EmailsAbout, GetEmailsAbout
from orion.modules.notifications.domain.email import EmailStatus

from .ports import EmailRecords, NotificationReadModel
from .queries import ListNotifications, NotificationPage


class ListNotificationsHandler:
    def __init__(self, read_model: NotificationReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListNotifications) -> NotificationPage:
        return await self._read_model.list_notifications(query)


class GetEmailsAboutHandler:
    def __init__(self, records: EmailRecords) -> None:
        self._records = records

    async def __call__(self, query: GetEmailsAbout) -> list[EmailsAbout]:
        return await self._records.about(query.subject_ids)


class ListEmailsHandler:
    def __init__(self, read_model: NotificationReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListEmails) -> EmailPage:
        page = await self._read_model.list_notifications(
            ListNotifications(
                status=None if query.status is None else EmailStatus(query.status),
                recipient=query.recipient,
                limit=query.limit,
                cursor=query.cursor,
            )
        )
        return EmailPage(
            items=[
                EmailRecord(
                    id=item.id,
                    recipient=item.recipient,
                    template=item.template,
                    subject=item.subject,
                    status=item.status.value,
                    attempts=item.attempts,
                    last_error=item.last_error,
                    created_at=item.created_at,
                    sent_at=item.sent_at,
                )
                for item in page.items
            ],
            next_cursor=page.next_cursor,
        )
