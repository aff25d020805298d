"""What an admin does to accounts, and the console's ``orion admin create``."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.identity.application.commands import ChangeRole, DisableUser, EnableUser
from orion.modules.identity.application.passwords import NewPasswords
from orion.modules.identity.application.ports import IdentityUnitOfWork
from orion.modules.identity.application.queries import UserView, user_view
from orion.modules.identity.contracts.commands import AdminAccount, CreateAdmin
from orion.modules.identity.domain.user import User, keep_an_admin, normalize_email
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id


class DisableUserHandler:
    """A disabled account's sessions end at once; the only active admin stays."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: DisableUser, uow: IdentityUnitOfWork) -> UserView:
        now = self._clock.now()
        admins = await uow.users.active_admins()  # locked before the user: one lock order
        user = await uow.users.get(command.user_id)
        user.disable(now=now)
        keep_an_admin(user, admins)
        await uow.users.save(user)
        await uow.sessions.revoke_all(user.id, now=now, reason="disabled")
        return user_view(user)


class EnableUserHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: EnableUser, uow: IdentityUnitOfWork) -> UserView:
        user = await uow.users.get(command.user_id)
        user.enable(now=self._clock.now())
        await uow.users.save(user)
        return user_view(user)


class ChangeRoleHandler:
    """The account's sessions end: their tokens carry the old role. The only active admin
    stays one."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: ChangeRole, uow: IdentityUnitOfWork) -> UserView:
        now = self._clock.now()
        admins = await uow.users.active_admins()  # locked before the user: one lock order
        user = await uow.users.get(command.user_id)
        user.change_role(command.role, now=now)
        keep_an_admin(user, admins)
        await uow.users.save(user)
        await uow.sessions.revoke_all(user.id, now=now, reason="role changed")
        return user_view(user)


class CreateAdminHandler:
    """Makes an admin, or promotes (and enables) the account with this email, whose password
    then changes and whose sessions end. Hashing takes tens of milliseconds: it is done
    before the transaction opens."""

    def __init__(
        self, *, uow: Callable[[], IdentityUnitOfWork], clock: Clock, passwords: NewPasswords
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._passwords = passwords

    async def __call__(self, command: CreateAdmin) -> AdminAccount:
        password_hash = await self._passwords.hash(command.password, email=command.email)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.by_email(normalize_email(command.email))
            if user is None:
                user = User.create_admin(
                    id=new_id(),
                    email=command.email,
                    password_hash=password_hash,
                    full_name=command.full_name,
                    now=now,
                )
                await uow.users.add(user)
            else:
                user.promote_to_admin(now=now)
                user.change_password_hash(password_hash, now=now)
                user.enable(now=now)
                await uow.users.save(user)
                await uow.sessions.revoke_all(user.id, now=now, reason="promoted to admin")
            await uow.commit()
        return AdminAccount(user_id=user.id, email=user.email)
