"""A customer's password: changed knowing the current one, or reset through an emailed link."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.identity.application.commands import (
    ChangePassword,
    RequestPasswordReset,
    ResetPassword,
)
from orion.modules.identity.application.passwords import NewPasswords
from orion.modules.identity.application.ports import IdentityUnitOfWork, PasswordHasher
from orion.modules.identity.application.tokens import (
    PASSWORD_RESET,
    redeem,
)
from orion.modules.identity.contracts.events import PasswordResetAskedV1
from orion.modules.identity.domain.errors import WrongPassword
from orion.modules.identity.domain.user import normalize_email
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id


class ChangePasswordHandler:
    """Verifying the current password and hashing the new one take tens of milliseconds
    each: they run between two short transactions, holding no pooled connection and no row
    lock, and the second refuses if the password changed in between. Every other session of
    the account ends; the one asking stays signed in."""

    def __init__(
        self,
        *,
        uow: Callable[[], IdentityUnitOfWork],
        clock: Clock,
        hasher: PasswordHasher,
        passwords: NewPasswords,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._passwords = passwords

    async def __call__(self, command: ChangePassword) -> None:
        async with self._uow() as uow:
            user = await uow.users.get(command.user_id)
        if not await self._hasher.verify(user.password_hash, command.current_password):
            raise WrongPassword("the current password is not right")
        new_hash = await self._passwords.hash(command.new_password, email=user.email)
        now = self._clock.now()
        async with self._uow() as uow:
            current = await uow.users.get(command.user_id)
            if current.password_hash != user.password_hash:
                raise WrongPassword("the password changed meanwhile; try again")
            current.change_password_hash(new_hash, now=now)
            await uow.users.save(current)
            await uow.sessions.revoke_all(
                current.id, now=now, reason="password changed", keep=command.session_id
            )
            await uow.commit()


class RequestPasswordResetHandler:
    """Answers alike and as fast whether the email is an account's or not: it only records
    that a link was asked for. Looking the account up, issuing the token and emailing it
    happen after the answer, through the outbox (``IssueResetTokenOnPasswordResetAsked``)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: RequestPasswordReset, uow: IdentityUnitOfWork) -> None:
        # published by hand: a fact no aggregate records, since which account (if any) the
        # email names is deliberately not looked up before the answer
        uow.publish(
            PasswordResetAskedV1(
                aggregate_id=new_id(),
                aggregate_version=1,
                occurred_at=self._clock.now(),
                email=normalize_email(command.email),
            )
        )


class ResetPasswordHandler:
    """Hashing takes tens of milliseconds: the new password is checked and hashed before the
    transaction that spends the token, so that no row lock waits on argon2. Every session of
    the account ends."""

    def __init__(
        self, *, uow: Callable[[], IdentityUnitOfWork], clock: Clock, passwords: NewPasswords
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._passwords = passwords

    async def __call__(self, command: ResetPassword) -> None:
        new_hash = await self._passwords.hash(command.new_password, email=None)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await redeem(uow, command.token, PASSWORD_RESET, "reset", now)
            self._passwords.check(command.new_password, email=user.email)
            user.change_password_hash(new_hash, now=now)
            await uow.users.save(user)
            await uow.sessions.revoke_all(user.id, now=now, reason="password reset")
            await uow.commit()
