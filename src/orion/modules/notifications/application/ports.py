"""The ports the notifications module's policies need."""

from __future__ import annotations

from typing import Protocol

from orion.modules.notifications.domain.email import Email
from orion.shared_kernel.application.unit_of_work import UnitOfWork


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Delivers the email; sending the same ``email.id`` again must not deliver it twice."""


class Renderer(Protocol):
    def render(self, template: str, **values: object) -> tuple[str, str]:
        """The subject and text body of a template."""


class EmailLog(Protocol):
    async def record(self, email: Email, *, message_id: str) -> bool:
        """Records the email as sent; false if it was already."""


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    emails: EmailLog
