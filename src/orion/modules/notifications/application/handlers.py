"""The notifications module's one query handler: the log, for admins. Its reactions to
other modules' events are policies (``policies.py``)."""

from __future__ import annotations

from .ports import NotificationReadModel
from .queries import ListNotifications, NotificationPage


class ListNotificationsHandler:
    def __init__(self, read_model: NotificationReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListNotifications) -> NotificationPage:
        return await self._read_model.list_notifications(query)
