"""The identity module's use cases: one transaction each, written against ports only."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Container
from dataclasses import asdict
from datetime import datetime, timedelta

from orion.modules.identity.contracts.commands import AdminAccount, CreateAdmin
from orion.modules.identity.contracts.events import (
    PasswordResetRequestedV1,
    UserChangedV1,
    UserRegisteredV1,
)
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.identity.domain.errors import (
    AccountDisabled,
    InvalidCredentials,
    InvalidToken,
    SessionEnded,
    WrongPassword,
)
from orion.modules.identity.domain.events import UserChanged
from orion.modules.identity.domain.user import User, normalize_email
from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.roles import ADMIN

from .commands import (
    ChangePassword,
    ChangeRole,
    DisableUser,
    EnableUser,
    LogIn,
    LogOut,
    Refresh,
    Register,
    RequestPasswordReset,
    ResetPassword,
    UpdateProfile,
    VerifyEmail,
)
from .passwords import check_password
from .ports import AccessTokens, IdentityReadModel, IdentityUnitOfWork, PasswordHasher
from .queries import GetUser, ListUsers, TokenPair, UserPage, UserView

SESSION_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(hours=1)
VERIFY_LIFETIME = timedelta(days=2)
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token's purpose, not a password
EMAIL_VERIFICATION = "email_verification"


def new_secret() -> tuple[str, str]:
    """A random token for the client, and the hash we keep of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class IdentityHandlers:
    """All of the module's command handlers share their collaborators; each method is one
    handler, registered on the mediator by ``module.py``."""

    def __init__(
        self,
        *,
        uow: Callable[[], IdentityUnitOfWork],
        clock: Clock,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        common_passwords: Container[str],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._tokens = tokens
        self._common = common_passwords

    async def register(self, command: Register) -> UserView:
        check_password(command.password, email=command.email, common=self._common)
        now = self._clock.now()
        user = User.register(
            id=new_id(),
            email=command.email,
            password_hash=await self._hasher.hash(command.password),
            full_name=command.full_name,
            now=now,
        )
        verification, verification_hash = new_secret()
        async with self._uow() as uow:
            await uow.users.add(user)
            await uow.tokens.issue(
                token_hash=verification_hash,
                user_id=user.id,
                purpose=EMAIL_VERIFICATION,
                expires_at=now + VERIFY_LIFETIME,
            )
            user.pull_events()
            uow.publish(
                UserRegisteredV1(
                    aggregate_id=user.id,
                    aggregate_version=user.version,
                    occurred_at=now,
                    email=user.email,
                    full_name=user.full_name,
                    verification_token=verification,
                )
            )
            await uow.commit()
        return view(user)

    async def log_in(self, command: LogIn) -> TokenPair:
        """Hashing takes tens of milliseconds: it runs between two short transactions, so
        that a flood of logins holds no pooled connection and no row lock while it waits."""
        async with self._uow() as uow:
            user = await uow.users.by_email(normalize_email(command.email))
        if user is None:
            await self._hasher.waste_time(command.password)
            raise InvalidCredentials("invalid email or password")
        if not await self._hasher.verify(user.password_hash, command.password):
            raise InvalidCredentials("invalid email or password")
        if user.is_disabled:
            raise AccountDisabled("this account is disabled")
        rehashed = None
        if self._hasher.needs_rehash(user.password_hash):
            rehashed = await self._hasher.hash(command.password)
        now = self._clock.now()
        session_id = new_id()
        refresh, refresh_hash = new_secret()
        async with self._uow() as uow:
            current = await uow.users.get(user.id)
            if current.password_hash != user.password_hash or current.is_disabled:
                raise InvalidCredentials("the account changed while signing in; try again")
            if rehashed is not None:
                current.change_password_hash(rehashed, now=now)
                current.pull_events()  # the same password, hashed stronger: nothing to tell
                await uow.users.save(current)
            await uow.sessions.start(
                session_id=session_id,
                user_id=current.id,
                refresh_hash=refresh_hash,
                now=now,
                expires_at=now + SESSION_LIFETIME,
            )
            await uow.commit()
        return self._pair(current, session_id, refresh, now)

    async def refresh(self, command: Refresh) -> TokenPair:
        now = self._clock.now()
        async with self._uow() as uow:
            found = await uow.sessions.by_refresh_hash(token_hash(command.refresh_token))
            if found is None:
                raise SessionEnded("unknown refresh token")
            session, spent = found
            if spent:  # a stolen token, or its thief's: end the whole family
                await uow.sessions.revoke(session.id, now=now, reason="refresh token reused")
                await uow.commit()
                raise SessionEnded("this refresh token was used already; the session is ended")
            if session.revoked_at is not None or session.expires_at <= now:
                raise SessionEnded("the session has ended")
            user = await uow.users.get(session.user_id)
            if user.is_disabled:
                raise SessionEnded("the account is disabled")
            refresh, refresh_hash = new_secret()
            await uow.sessions.rotate(
                session.id, token_hash(command.refresh_token), refresh_hash, now
            )
            await uow.commit()
        return self._pair(user, session.id, refresh, now)

    async def log_out(self, command: LogOut) -> None:
        async with self._uow() as uow:
            found = await uow.sessions.by_refresh_hash(token_hash(command.refresh_token))
            if found is not None:
                await uow.sessions.revoke(found[0].id, now=self._clock.now(), reason="logout")
                await uow.commit()

    async def update_profile(self, command: UpdateProfile) -> UserView:
        async with self._uow() as uow:
            user = await uow.users.get(command.user_id)
            user.update_profile(
                full_name=command.full_name,
                shipping_address=command.shipping_address,
                now=self._clock.now(),
            )
            await _save(uow, user)
            await uow.commit()
        return view(user)

    async def change_password(self, command: ChangePassword) -> None:
        async with self._uow() as uow:
            user = await uow.users.get(command.user_id)
            if not await self._hasher.verify(user.password_hash, command.current_password):
                raise WrongPassword("the current password is not right")
            check_password(command.new_password, email=user.email, common=self._common)
            now = self._clock.now()
            user.change_password_hash(await self._hasher.hash(command.new_password), now=now)
            await _save(uow, user)
            await uow.sessions.revoke_all(
                user.id, now=now, reason="password changed", keep=command.session_id
            )
            await uow.commit()

    async def request_password_reset(self, command: RequestPasswordReset) -> None:
        """Answers the same whether the account exists or not."""
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.by_email(normalize_email(command.email))
            if user is None or user.is_disabled:
                return
            token, hashed = new_secret()
            expires_at = now + RESET_LIFETIME
            await uow.tokens.issue(
                token_hash=hashed, user_id=user.id, purpose=PASSWORD_RESET, expires_at=expires_at
            )
            uow.publish(
                PasswordResetRequestedV1(
                    aggregate_id=user.id,
                    aggregate_version=user.version,
                    occurred_at=now,
                    email=user.email,
                    full_name=user.full_name,
                    reset_token=token,
                    expires_at=expires_at.isoformat(),
                )
            )
            await uow.commit()

    async def reset_password(self, command: ResetPassword) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _redeem(uow, command.token, PASSWORD_RESET, "reset", now)
            check_password(command.new_password, email=user.email, common=self._common)
            user.change_password_hash(await self._hasher.hash(command.new_password), now=now)
            await _save(uow, user)
            await uow.sessions.revoke_all(user.id, now=now, reason="password reset")
            await uow.commit()

    async def verify_email(self, command: VerifyEmail) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _redeem(uow, command.token, EMAIL_VERIFICATION, "verification", now)
            user.verify_email(now=now)
            await _save(uow, user)
            await uow.commit()

    async def disable_user(self, command: DisableUser) -> UserView:
        return await self._admin_change(
            command.user_id, "disabled", lambda u, now: u.disable(now=now)
        )

    async def enable_user(self, command: EnableUser) -> UserView:
        return await self._admin_change(command.user_id, None, lambda u, now: u.enable(now=now))

    async def change_role(self, command: ChangeRole) -> UserView:
        return await self._admin_change(
            command.user_id, "role changed", lambda u, now: u.change_role(command.role, now=now)
        )

    async def create_admin(self, command: CreateAdmin) -> AdminAccount:
        check_password(command.password, email=command.email, common=self._common)
        password_hash = await self._hasher.hash(command.password)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.by_email(normalize_email(command.email))
            if user is None:
                user = User.register(
                    id=new_id(),
                    email=command.email,
                    password_hash=password_hash,
                    full_name=command.full_name,
                    now=now,
                    role=ADMIN,
                )
                user.verify_email(now=now)  # an operator made it: the address is theirs
                user.pull_events()
                await uow.users.add(user)
            else:
                user.promote_to_admin(now=now)
                user.change_password_hash(password_hash, now=now)
                user.enable(now=now)
                await _save(uow, user)
                await uow.sessions.revoke_all(user.id, now=now, reason="promoted to admin")
            await uow.commit()
        return AdminAccount(user_id=user.id, email=user.email)

    async def _admin_change(
        self,
        user_id: uuid.UUID,
        end_sessions: str | None,
        change: Callable[[User, datetime], None],
    ) -> UserView:
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
            change(user, now)
            await _save(uow, user)
            if end_sessions:
                await uow.sessions.revoke_all(user.id, now=now, reason=end_sessions)
            await uow.commit()
        return view(user)

    def _pair(self, user: User, session_id: uuid.UUID, refresh: str, now: datetime) -> TokenPair:
        principal = Principal(user_id=user.id, role=user.role, session_id=session_id)
        return TokenPair(
            access_token=self._tokens.issue(principal, now=now),
            refresh_token=refresh,
            expires_in=self._tokens.lifetime_s,
        )


class IdentityQueries:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def get_user(self, query: GetUser) -> UserView:
        return await self._read_model.get_user(query.user_id)

    async def get_customer_contact(self, query: GetCustomerContact) -> CustomerContact:
        user = await self._read_model.get_user(query.user_id)
        return CustomerContact(user_id=user.id, email=user.email, full_name=user.full_name)

    async def list_users(self, query: ListUsers) -> UserPage:
        return await self._read_model.list_users(
            q=query.q,
            role=query.role,
            disabled=query.disabled,
            limit=query.limit,
            cursor=query.cursor,
        )


async def _save(uow: IdentityUnitOfWork, user: User) -> None:
    """Writes the user's changes and publishes what changed."""
    changes = sorted(
        {event.change for event in user.pull_events() if isinstance(event, UserChanged)}
    )
    await uow.users.save(user)
    if changes:
        uow.publish(
            UserChangedV1(
                aggregate_id=user.id,
                aggregate_version=user.version,
                occurred_at=user.updated_at,
                changes=changes,
            )
        )


async def _redeem(
    uow: IdentityUnitOfWork, token: str, purpose: str, link: str, now: datetime
) -> User:
    """The user a one-time token belongs to, the token now used; ``InvalidToken`` otherwise."""
    user_id = await uow.tokens.consume(token_hash=token_hash(token), purpose=purpose, now=now)
    if user_id is None:
        raise InvalidToken(f"this {link} link is invalid, used or expired")
    return await uow.users.get(user_id)


def view(user: User) -> UserView:
    return UserView(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        email_verified=user.email_verified_at is not None,
        disabled=user.is_disabled,
        shipping_address=asdict(user.shipping_address) if user.shipping_address else None,
        created_at=user.created_at,
    )
