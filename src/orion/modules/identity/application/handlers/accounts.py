"""Sign-up, the caller's profile, and confirming an email address."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.identity.application.commands import Register, UpdateProfile, VerifyEmail
from orion.modules.identity.application.events import integration_events
from orion.modules.identity.application.passwords import NewPasswords
from orion.modules.identity.application.ports import IdentityUnitOfWork
from orion.modules.identity.application.queries import UserView, user_view
from orion.modules.identity.application.tokens import EMAIL_VERIFICATION, redeem
from orion.modules.identity.domain.errors import EmailTaken
from orion.modules.identity.domain.user import User
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id


class RegisterHandler:
    """Answers alike for a new and a taken email, in the same time: the password is hashed
    either way, then one short transaction inserts the account unless the email has one and
    writes one ``RegistrationAskedV1`` either way. What differs (the verification token and
    welcome for a new account, the warning to a taken email's owner) happens after the
    answer, through the outbox (``CompleteRegistrationOnRegistrationAsked``). The account
    itself is made before the answer, so its owner may sign in at once. Hashing takes tens
    of milliseconds: it runs before the transaction opens, so that a flood of sign-ups holds
    no pooled connection while argon2 works."""

    def __init__(
        self, *, uow: Callable[[], IdentityUnitOfWork], clock: Clock, passwords: NewPasswords
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._passwords = passwords

    async def __call__(self, command: Register) -> UserView | None:
        password_hash = await self._passwords.hash(command.password, email=command.email)
        user = User.register(
            id=new_id(),
            email=command.email,
            password_hash=password_hash,
            full_name=command.full_name,
            now=self._clock.now(),
        )
        async with self._uow() as uow:
            try:
                await uow.users.add(user)
            except EmailTaken:
                # the account was not made, but what it recorded (a sign-up asked for this
                # email) is published as a new account's is, so that both cost alike
                uow.publish(*integration_events(user, user.pull_events()))
                made = False
            else:
                made = True
            await uow.commit()
        return user_view(user) if made else None


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
