"""The dashboard's sign-in: an identity session (so that logout, disabling the account and a
password change end it at once) mapped to a cookie of the dashboard's own, with the CSRF
token of its forms. The cookie's value is stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from orion.modules.dashboard.domain.errors import AdminsOnly, CsrfRefused, SignedOut
from orion.modules.identity.contracts.sessions import EndSession, GetSessionRole, SignIn
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.context import Actor
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.roles import ADMIN

LIFETIME = timedelta(hours=12)  # then signed in again, whatever identity's session says


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSession:
    user_id: uuid.UUID
    session_id: uuid.UUID  # identity's
    email: str  # as signed in with: who the audit log names
    csrf_token: str
    expires_at: datetime

    def actor(self, action: str) -> Actor:
        return Actor(user_id=self.user_id, email=self.email, action=action)

    def check_csrf(self, sent: str | None) -> None:
        if sent is None or not hmac.compare_digest(sent.encode(), self.csrf_token.encode()):
            raise CsrfRefused("the form's CSRF token is missing or wrong: reload the page")


class WebSessions(Protocol):
    async def add(self, token_hash: bytes, session: WebSession) -> None: ...

    async def find(self, token_hash: bytes) -> WebSession | None: ...

    async def remove(self, token_hash: bytes) -> None: ...


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class DashboardSessions:
    """Opens, checks and closes the dashboard's sessions; asks identity through its contracts."""

    def __init__(self, *, mediator: Mediator, store: WebSessions, clock: Clock) -> None:
        self._mediator = mediator
        self._store = store
        self._clock = clock

    async def open(self, *, email: str, password: str, client_address: str) -> str:
        """The new session's cookie value. A customer's right password opens nothing: its
        identity session is ended at once and ``AdminsOnly`` raised."""
        signed = await self._mediator.send(
            SignIn(email=email, password=password, client_address=client_address)
        )
        if signed.role != ADMIN:
            await self._mediator.send(EndSession(session_id=signed.session_id))
            raise AdminsOnly("only admins may sign in to the dashboard")
        token = secrets.token_urlsafe(32)
        session = WebSession(
            user_id=signed.user_id,
            session_id=signed.session_id,
            email=email.strip().lower(),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=self._clock.now() + LIFETIME,
        )
        await self._store.add(token_hash(token), session)
        return token

    async def check(self, token: str | None) -> WebSession:
        """The signed-in admin's session: every page and action asks, so a session identity
        ended, or a user no longer admin, is refused at once."""
        if not token:
            raise SignedOut("not signed in")
        session = await self._store.find(token_hash(token))
        if session is None or session.expires_at <= self._clock.now():
            raise SignedOut("the session has ended: sign in again")
        role = await self._mediator.ask(
            GetSessionRole(session_id=session.session_id, user_id=session.user_id)
        )
        if role is None:
            await self._store.remove(token_hash(token))
            raise SignedOut("the session has ended: sign in again")
        if role != ADMIN:
            raise AdminsOnly("only admins may use the dashboard")
        return session

    async def close(self, token: str) -> None:
        session = await self._store.find(token_hash(token))
        if session is not None:
            await self._mediator.send(EndSession(session_id=session.session_id))
            await self._store.remove(token_hash(token))
