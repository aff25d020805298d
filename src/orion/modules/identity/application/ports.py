"""The ports the identity module's use cases need; adapters implement them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from orion.modules.identity.contracts.queries import CustomerRecord, ListCustomerRecords
from orion.modules.identity.domain.user import User
from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.application.unit_of_work import UnitOfWork

from .queries import UserPage, UserView


class UserRepository(Protocol):
    async def get(self, user_id: uuid.UUID) -> User:
        """Raises ``UserNotFound``."""

    async def by_email(self, email: str) -> User | None: ...

    async def add(self, user: User) -> None:
        """Raises ``EmailTaken``."""

    async def save(self, user: User) -> None: ...

    async def active_admins(self) -> list[uuid.UUID]:
        """The enabled admins' ids, locked until commit in id order (so that two changes of
        admins wait for each other instead of each counting the other still there)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionState:
    id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    revoked_at: datetime | None


class SessionRepository(Protocol):
    async def start(
        self,
        *,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def by_refresh_hash(self, refresh_hash: str) -> tuple[SessionState, bool] | None:
        """The session a refresh token belongs to (locked until commit), and whether that
        token was spent already."""

    async def rotate(
        self, session_id: uuid.UUID, spent_hash: str, new_hash: str, now: datetime
    ) -> None: ...

    async def revoke(self, session_id: uuid.UUID, *, now: datetime, reason: str) -> None: ...

    async def revoke_all(
        self,
        user_id: uuid.UUID,
        *,
        now: datetime,
        reason: str,
        keep: uuid.UUID | None = None,
    ) -> None: ...


class OneTimeTokens(Protocol):
    async def issue(
        self, *, token_hash: str, user_id: uuid.UUID, purpose: str, expires_at: datetime
    ) -> None: ...

    async def consume(self, *, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        """The token's user, marking the token used; ``None`` if unknown, used or expired."""


class IdentityUnitOfWork(UnitOfWork, Protocol):
    users: UserRepository
    sessions: SessionRepository
    tokens: OneTimeTokens


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    async def waste_time(self, password: str) -> None:
        """Costs what a verification costs, so that an unknown email answers as slowly."""


class AccessTokens(Protocol):
    lifetime_s: int

    def issue(self, principal: Principal, *, now: datetime) -> str: ...

    def read(self, token: str) -> Principal:
        """Checks signature, algorithm, issuer, audience and expiry; raises ``NotAuthenticated``."""


class IdentityReadModel(Protocol):
    async def get_user(self, user_id: uuid.UUID) -> UserView: ...

    async def list_users(
        self,
        *,
        q: str | None,
        role: str | None,
        disabled: bool | None,
        limit: int,
        cursor: str | None,
    ) -> UserPage: ...

    async def session_active(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool: ...

    async def session_role(self, session_id: uuid.UUID, user_id: uuid.UUID) -> str | None: ...

    async def customer_records(self, query: ListCustomerRecords) -> list[CustomerRecord]: ...
