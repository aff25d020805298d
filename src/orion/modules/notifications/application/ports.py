"""The ports the notifications module's policies and its log's readers need."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from orion.modules.notifications.contracts.queries import EmailsAbout
from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.shared_kernel.application.unit_of_work import UnitOfWork

from .queries import ListNotifications, NotificationPage


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Hands the email over for delivery, or raises. It cannot know whether an earlier
        call delivered ``email.id`` already: the notification log keeps sends to once."""


class Renderer(Protocol):
    def render(self, template: str, **values: object) -> RenderedEmail:
        """The subject, text body and HTML body of a template."""


class EmailLog(Protocol):
    """The notification log, inside the consumer's transaction."""

    async def status(self, email_id: uuid.UUID) -> EmailStatus | None:
        """The email's status, its row locked until the transaction ends; None if never tried."""

    async def sent(self, email: Email, *, message_id: str) -> None:
        """Records a successful send: one more attempt, status ``sent``."""


class FailedSends(Protocol):
    """The notification log outside any consumer's transaction: a failed send is recorded
    in a short transaction of its own, after the consumer's has rolled back."""

    async def record(self, email: Email, *, message_id: str, error: str) -> None:
        """One more attempt, status ``failed`` and the error; an email already sent stays so."""


class EmailRecords(Protocol):
    async def about(self, subject_ids: tuple[uuid.UUID, ...]) -> list[EmailsAbout]: ...


class NotificationReadModel(Protocol):
    async def list_notifications(self, query: ListNotifications) -> NotificationPage:
        """The log, newest first, filtered and paged as the query says."""


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    emails: EmailLog
