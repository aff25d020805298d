"""Fakes of the notifications module's ports: a mailer that records (and can fail, or pass
each email on to a real mailer), and the notification log and inbox in memory, with the rules
of the SQL ones (``adapters/sql/log.py``, the shared inbox): one row per email id, every
attempt counted, a ``sent`` row final, a message handled once per consumer; inside the
consumer's unit of work, or in a transaction of its own for failures. ``FakeNotifications``
is the module wired by its ``module.py`` on these fakes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dependency_injector import providers

from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.modules.notifications.module import MODULE, NotificationsContainer
from orion.modules.notifications.settings import NotificationsSettings
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from tests.fakes.unit_of_work import FakeUnitOfWork


class RecordingMailer:
    """Keeps every email it is asked to send; raises ``failing`` while it is set; hands each
    sent email on to ``then`` (a real mailer) when given."""

    def __init__(self, then: Callable[[Email], Awaitable[None]] | None = None) -> None:
        self.sent: list[Email] = []
        self.failing: Exception | None = None
        self._then = then

    async def send(self, email: Email) -> None:
        if self.failing is not None:
            raise self.failing
        if self._then is not None:
            await self._then(email)
        self.sent.append(email)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedEmail:
    """A row of the notification log."""

    email: Email
    message_id: str
    status: EmailStatus
    attempts: int
    last_error: str | None


def _attempt(
    rows: dict[uuid.UUID, LoggedEmail],
    email: Email,
    *,
    message_id: str,
    status: EmailStatus,
    error: str | None,
) -> None:
    """As the SQL log's upsert: the row made on the first attempt, counted on the next ones,
    left alone once ``sent``; a success keeps the last error."""
    row = rows.get(email.id)
    if row is not None and row.status is EmailStatus.SENT:
        return
    rows[email.id] = LoggedEmail(
        email=email,
        message_id=message_id,
        status=status,
        attempts=1 if row is None else row.attempts + 1,
        last_error=error if error is not None or row is None else row.last_error,
    )


class FakeEmailLog:
    """The log in the consumer's transaction."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, LoggedEmail]:
        return self._uow.table("emails")

    async def status(self, email_id: uuid.UUID) -> EmailStatus | None:
        row = self.rows.get(email_id)
        return None if row is None else row.status

    async def sent(self, email: Email, *, message_id: str) -> None:
        _attempt(self.rows, email, message_id=message_id, status=EmailStatus.SENT, error=None)


class FakeNotificationsUnitOfWork(FakeUnitOfWork):
    """The consumer's unit of work as a policy sees it: the log, committed with the policy."""

    def __init__(self) -> None:
        super().__init__()
        self.emails = FakeEmailLog(self)

    async def first_delivery(self, consumer: str, message_id: uuid.UUID, type_: str) -> bool:
        """Records the message in the inbox; false if this consumer has it already."""
        inbox = self.table("inbox")
        if (consumer, message_id) in inbox:
            return False
        inbox[consumer, message_id] = type_
        return True

    def logged(self) -> dict[uuid.UUID, LoggedEmail]:
        """The committed log."""
        return dict(self.committed.get("emails", {}))


class FakeFailedSends:
    """The log outside the consumer's transaction: each failure committed on its own, after
    the consumer's transaction rolled back (``FailedSends``)."""

    def __init__(self, uow: FakeNotificationsUnitOfWork) -> None:
        self._uow = uow

    async def record(self, email: Email, *, message_id: str, error: str) -> None:
        async with self._uow as uow:
            _attempt(
                uow.emails.rows,
                email,
                message_id=message_id,
                status=EmailStatus.FAILED,
                error=error,
            )
            await uow.commit()


class FakeNotifications:
    """The module as ``module.py`` wires it (its policies, its consumers, the failures they
    record), every port a fake: ``deliver`` hands a message to the subscription that takes
    its type, as the broker would."""

    def __init__(self, *, public_url: str = "https://shop.example/") -> None:
        self.uow = FakeNotificationsUnitOfWork()
        self.mailer = RecordingMailer()
        self.container = NotificationsContainer(
            settings=NotificationsSettings(public_url=public_url)
        )
        self.container.uow.override(providers.Object(self.uow))
        self.container.mailer.override(providers.Object(self.mailer))
        self.container.log.override(providers.Object(FakeFailedSends(self.uow)))
        self._subscriptions = MODULE.subscriptions(self.container)

    async def deliver(self, message: Envelope) -> None:
        [handle] = [s.handle for s in self._subscriptions if message.type in s.types]
        await handle(message)
