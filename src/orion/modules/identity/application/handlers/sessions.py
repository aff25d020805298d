"""Signing in, refreshing a session's tokens, signing out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from orion.modules.identity.application.commands import LogIn, LogOut, Refresh
from orion.modules.identity.application.ports import (
    AccessTokens,
    IdentityUnitOfWork,
    PasswordHasher,
)
from orion.modules.identity.application.queries import TokenPair
from orion.modules.identity.application.tokens import SESSION_LIFETIME, new_secret, token_hash
from orion.modules.identity.contracts.sessions import EndSession
from orion.modules.identity.domain.errors import AccountDisabled, InvalidCredentials, SessionEnded
from orion.modules.identity.domain.user import User, normalize_email
from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id


class LogInHandler:
    """Verifying takes tens of milliseconds: it runs between two short transactions, so that
    a flood of logins holds no pooled connection and no row lock while it waits; the second
    refuses if the account changed in between."""

    def __init__(
        self,
        *,
        uow: Callable[[], IdentityUnitOfWork],
        clock: Clock,
        hasher: PasswordHasher,
        tokens: AccessTokens,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._tokens = tokens

    async def __call__(self, command: LogIn) -> TokenPair:
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
                current.rehash_password(rehashed, now=now)
                await uow.users.save(current)
            await uow.sessions.start(
                session_id=session_id,
                user_id=current.id,
                refresh_hash=refresh_hash,
                now=now,
                expires_at=now + SESSION_LIFETIME,
            )
            await uow.commit()
        return _token_pair(self._tokens, current, session_id, refresh, now)


class RefreshHandler:
    """Opens its own transaction: a spent token presented again (stolen, or its thief's) ends
    the whole session, and that end must commit although the call then fails."""

    def __init__(
        self, *, uow: Callable[[], IdentityUnitOfWork], clock: Clock, tokens: AccessTokens
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._tokens = tokens

    async def __call__(self, command: Refresh) -> TokenPair:
        now = self._clock.now()
        presented = token_hash(command.refresh_token)
        async with self._uow() as uow:
            found = await uow.sessions.by_refresh_hash(presented)
            if found is None:
                raise SessionEnded("unknown refresh token")
            session, spent = found
            if spent:
                await uow.sessions.revoke(session.id, now=now, reason="refresh token reused")
                await uow.commit()
                raise SessionEnded("this refresh token was used already; the session is ended")
            if session.revoked_at is not None or session.expires_at <= now:
                raise SessionEnded("the session has ended")
            user = await uow.users.get(session.user_id)
            if user.is_disabled:
                raise SessionEnded("the account is disabled")
            refresh, refresh_hash = new_secret()
            await uow.sessions.rotate(session.id, presented, refresh_hash, now)
            await uow.commit()
        return _token_pair(self._tokens, user, session.id, refresh, now)


class EndSessionHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: EndSession, uow: IdentityUnitOfWork) -> None:
        await uow.sessions.revoke(command.session_id, now=self._clock.now(), reason="logout")


class LogOutHandler:
    """An unknown or spent token ends nothing and is not an error: the client is signed out
    either way."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: LogOut, uow: IdentityUnitOfWork) -> None:
        found = await uow.sessions.by_refresh_hash(token_hash(command.refresh_token))
        if found is not None:
            await uow.sessions.revoke(found[0].id, now=self._clock.now(), reason="logout")


def _token_pair(
    tokens: AccessTokens, user: User, session_id: uuid.UUID, refresh: str, now: datetime
) -> TokenPair:
    principal = Principal(user_id=user.id, role=user.role, session_id=session_id)
    return TokenPair(
        access_token=tokens.issue(principal, now=now),
        refresh_token=refresh,
        expires_in=tokens.lifetime_s,
    )
