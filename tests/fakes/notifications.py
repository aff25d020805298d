"""Fakes of the notifications module's ports: a mailer that records (and can fail, or pass
each email on to a real mailer), and an in-memory notification log in a unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from orion.modules.notifications.domain.email import Email, EmailStatus


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


@dataclass
class FakeEmailLog:
    statuses: dict[uuid.UUID, EmailStatus] = field(default_factory=dict)
    attempts: dict[uuid.UUID, int] = field(default_factory=dict)

    async def status(self, email_id: uuid.UUID) -> EmailStatus | None:
        return self.statuses.get(email_id)

    async def sent(self, email: Email, *, message_id: str) -> None:
        self.statuses[email.id] = EmailStatus.SENT
        self.attempts[email.id] = self.attempts.get(email.id, 0) + 1


class FakeNotificationsUnitOfWork:
    """What a policy sees of the consumer's unit of work: the log (the inbox and the commit
    are the consumer's, around the policy)."""

    def __init__(self) -> None:
        self.emails = FakeEmailLog()
