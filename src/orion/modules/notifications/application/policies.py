"""Reactions to other modules' events: each one email, rendered from a template, sent once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from orion.modules.identity.contracts.events import PasswordResetRequestedV1, UserRegisteredV1
from orion.modules.notifications.domain.email import Email

from .ports import Mailer, NotificationsUnitOfWork, Renderer


class SendEmailOnIdentityEvents:
    """Verification email on registration, reset email on a reset request."""

    def __init__(
        self,
        *,
        mailer: Mailer,
        renderer: Renderer,
        public_url: str,
        message_id: Callable[[], str | None],
    ) -> None:
        self._mailer = mailer
        self._renderer = renderer
        self._public_url = public_url.rstrip("/")
        self._message_id = message_id

    async def on_user_registered(
        self, event: UserRegisteredV1, uow: NotificationsUnitOfWork
    ) -> None:
        link = f"{self._public_url}/verify-email?token={event.verification_token}"
        await self._send(uow, event.email, "verify_email", name=event.full_name, link=link)

    async def on_password_reset_requested(
        self, event: PasswordResetRequestedV1, uow: NotificationsUnitOfWork
    ) -> None:
        link = f"{self._public_url}/reset-password?token={event.reset_token}"
        await self._send(
            uow,
            event.email,
            "reset_password",
            name=event.full_name,
            link=link,
            expires_at=event.expires_at,
        )

    async def _send(
        self, uow: NotificationsUnitOfWork, to: str, template: str, **values: object
    ) -> None:
        message_id = self._message_id() or ""
        subject, text = self._renderer.render(template, **values)
        email = Email(
            id=Email.id_for(uuid.UUID(message_id), to),
            to=to,
            subject=subject,
            text=text,
            template=template,
        )
        if await uow.emails.record(email, message_id=message_id):
            await self._mailer.send(email)
