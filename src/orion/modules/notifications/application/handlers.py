"""The notifications module's query handlers: the log, for admins, and the emails about
orders, for the consistency auditor. Its reactions to other modules' events are policies
(``policies.py``)."""

from __future__ import annotations

from orion.modules.notifications.contracts.queries import EmailsAbout, GetEmailsAbout

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
