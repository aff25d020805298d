"""Sign-up, the caller's profile, and confirming an email address."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.identity.application.commands import Register, UpdateProfile, VerifyEmail
from orion.modules.identity.application.passwords import NewPasswords
from orion.modules.identity.application.ports import IdentityUnitOfWork
from orion.modules.identity.application.queries import UserView, user_view
from orion.modules.identity.application.tokens import (
    EMAIL_VERIFICATION,
    VERIFY_LIFETIME,
    new_secret,
    redeem,
)
from orion.modules.identity.domain.user import User
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id


class RegisterHandler:
    """Hashing takes tens of milliseconds: the password is hashed before the transaction
    opens, so that a flood of sign-ups holds no pooled connection while argon2 works."""

    def __init__(
        self, *, uow: Callable[[], IdentityUnitOfWork], clock: Clock, passwords: NewPasswords
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._passwords = passwords

    async def __call__(self, command: Register) -> UserView:
        password_hash = await self._passwords.hash(command.password, email=command.email)
        now = self._clock.now()
        verification, verification_hash = new_secret()
        user = User.register(
            id=new_id(),
            email=command.email,
            password_hash=password_hash,
            full_name=command.full_name,
            verification_token=verification,
            now=now,
        )
        async with self._uow() as uow:
            await uow.users.add(user)
            await uow.tokens.issue(
                token_hash=verification_hash,
                user_id=user.id,
                purpose=EMAIL_VERIFICATION,
                expires_at=now + VERIFY_LIFETIME,
            )
            await uow.commit()
        return user_view(user)


class UpdateProfileHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: UpdateProfile, uow: IdentityUnitOfWork) -> UserView:
        user = await uow.users.get(command.user_id)
        user.update_profile(
            full_name=command.full_name,
            shipping_address=command.shipping_address,
            now=self._clock.now(),
        )
        await uow.users.save(user)
        return user_view(user)


class VerifyEmailHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: VerifyEmail, uow: IdentityUnitOfWork) -> None:
        now = self._clock.now()
        user = await redeem(uow, command.token, EMAIL_VERIFICATION, "verification", now)
        user.verify_email(now=now)
        await uow.users.save(user)
