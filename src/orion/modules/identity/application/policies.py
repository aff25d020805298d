"""Identity's reactions to its own events: the work that must not happen before an answer,
so that the answer says nothing about which emails have accounts."""

from __future__ import annotations

from orion.modules.identity.contracts.events import PasswordResetAskedV1, RegistrationAskedV1
from orion.modules.identity.domain.errors import UserNotFound
from orion.shared_kernel.application.clock import Clock

from .ports import IdentityUnitOfWork
from .tokens import (
    EMAIL_VERIFICATION,
    PASSWORD_RESET,
    RESET_LIFETIME,
    VERIFY_LIFETIME,
    new_secret,
)


class CompleteRegistrationOnRegistrationAsked:
    """The account the sign-up made gets its two-day verification token, carried to its
    welcome email by ``UserRegisteredV1``; if the email's account is another one (the email
    was taken), its owner is told that someone tried (``RegistrationAttemptedV1``)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: RegistrationAskedV1, uow: IdentityUnitOfWork) -> None:
        user = await uow.users.by_email(event.email)
        if user is None:  # accounts are never deleted: the email had one when this was sent
            raise UserNotFound(f"no account with the email of sign-up {event.aggregate_id}")
        now = self._clock.now()
        if user.id != event.aggregate_id:
            user.note_registration_attempt(now=now)
            return
        token, hashed = new_secret()
        await uow.tokens.issue(
            token_hash=hashed,
            user_id=user.id,
            purpose=EMAIL_VERIFICATION,
            expires_at=now + VERIFY_LIFETIME,
        )
        user.request_email_verification(token=token, now=now)


class IssueResetTokenOnPasswordResetAsked:
    """An enabled account with the email gets a one-hour reset token, which its
    ``PasswordResetRequestedV1`` carries to the email; an unknown email or a disabled
    account gets nothing."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, event: PasswordResetAskedV1, uow: IdentityUnitOfWork) -> None:
        user = await uow.users.by_email(event.email)
        if user is None or user.is_disabled:
            return
        now = self._clock.now()
        token, hashed = new_secret()
        expires_at = now + RESET_LIFETIME
        await uow.tokens.issue(
            token_hash=hashed, user_id=user.id, purpose=PASSWORD_RESET, expires_at=expires_at
        )
        user.request_password_reset(token=token, expires_at=expires_at, now=now)
