"""One email in reaction to one message: rendered, sent at most once it is marked sent,
and every attempt counted in the notification log."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.shared_kernel.application.messages import IntegrationEvent

from .ports import Mailer, NotificationsUnitOfWork, Renderer

MAX_ERROR = 1000  # characters of a failure kept in the log


class EmailNotSent(Exception):
    """The mailer failed. The consumer's transaction rolls back and the message goes down the
    retry ladder; the adapter that sees this records the failure in a transaction of its own."""

    def __init__(self, email: Email, *, message_id: str, cause: Exception) -> None:
        self.email = email
        self.message_id = message_id
        self.error = f"{type(cause).__name__}: {cause}"[:MAX_ERROR]
        super().__init__(f"email {email.id} ({email.template}) not sent: {self.error}")


class EmailSender:
    """Sends in the consumer's transaction: the log row is locked, the email skipped if it
    is marked sent, else handed to the mailer and marked sent with the inbox row."""

    def __init__(
        self, *, mailer: Mailer, renderer: Renderer, message_id: Callable[[], str | None]
    ) -> None:
        self._mailer = mailer
        self._renderer = renderer
        self._message_id = message_id

    async def send(
        self,
        uow: NotificationsUnitOfWork,
        to: str,
        template: str,
        *,
        about: IntegrationEvent | None = None,
        **values: object,
    ) -> None:
        """``about``: the event the email answers, logged with it so that the consistency
        auditor can find the email an order's event promised."""
        message_id = self._message_id()
        if message_id is None:
            raise RuntimeError("an email answers a message: no message id in this context")
        rendered = self._renderer.render(template, **values)
        email = Email(
            id=Email.id_for(uuid.UUID(message_id), to),
            to=to,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            template=template,
            event_type=None if about is None else about.wire_name,
            subject_id=None if about is None else about.aggregate_id,
        )
        if await uow.emails.status(email.id) is EmailStatus.SENT:
            return
        try:
            await self._mailer.send(email)
        except Exception as error:
            raise EmailNotSent(email, message_id=message_id, cause=error) from error
        await uow.emails.sent(email, message_id=message_id)
