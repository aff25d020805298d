"""In-memory identity ports with the same contract as the SQL adapters: users with a unique
(normalized) email, sessions and their refresh tokens, one-time tokens spent once; a fast,
deterministic password hasher and readable access tokens."""

from __future__ import annotations

import copy
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from orion.modules.identity.application.events import integration_events
from orion.modules.identity.application.ports import SessionState
from orion.modules.identity.application.queries import UserPage, UserView, user_view
from orion.modules.identity.domain.errors import EmailTaken, UserNotFound
from orion.modules.identity.domain.user import User
from orion.shared_kernel.adapters.pagination import InvalidCursor, decode_cursor, encode_cursor
from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.domain.errors import NotAuthenticated
from tests.fakes.unit_of_work import FakeUnitOfWork, stored


@dataclass
class SessionRow:
    id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


@dataclass
class RefreshTokenRow:
    session_id: uuid.UUID
    issued_at: datetime
    spent_at: datetime | None = None


@dataclass
class OneTimeTokenRow:
    user_id: uuid.UUID
    purpose: str
    expires_at: datetime
    used_at: datetime | None = None


class FakeUserRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, User]:
        return self._uow.table("users")

    async def get(self, user_id: uuid.UUID) -> User:
        user = self.rows.get(user_id)
        if user is None:
            raise UserNotFound(f"no user {user_id}")
        return self._uow.track(copy.deepcopy(user))

    async def by_email(self, email: str) -> User | None:
        found = next((user for user in self.rows.values() if user.email == email), None)
        return None if found is None else self._uow.track(copy.deepcopy(found))

    async def add(self, user: User) -> None:
        if any(row.email == user.email for row in self.rows.values()):
            raise EmailTaken("an account with this email exists")
        user.mark_persisted()
        self.rows[user.id] = stored(user)
        self._uow.track(user)

    async def save(self, user: User) -> None:
        user.mark_persisted()
        self.rows[user.id] = stored(user)

    async def active_admins(self) -> list[uuid.UUID]:
        return sorted(user.id for user in self.rows.values() if user.is_active_admin)


class FakeSessionRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, SessionRow]:
        return self._uow.table("sessions")

    @property
    def refresh_tokens(self) -> dict[str, RefreshTokenRow]:
        return self._uow.table("refresh_tokens")

    async def start(
        self,
        *,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        assert session_id not in self.rows, "primary key"
        self.rows[session_id] = SessionRow(
            id=session_id, user_id=user_id, created_at=now, expires_at=expires_at
        )
        self._add_token(refresh_hash, session_id, now)

    async def by_refresh_hash(self, refresh_hash: str) -> tuple[SessionState, bool] | None:
        token = self.refresh_tokens.get(refresh_hash)
        if token is None:
            return None
        row = self.rows[token.session_id]
        state = SessionState(
            id=row.id, user_id=row.user_id, expires_at=row.expires_at, revoked_at=row.revoked_at
        )
        return state, token.spent_at is not None

    async def rotate(
        self, session_id: uuid.UUID, spent_hash: str, new_hash: str, now: datetime
    ) -> None:
        self.refresh_tokens[spent_hash].spent_at = now
        self._add_token(new_hash, session_id, now)

    async def revoke(self, session_id: uuid.UUID, *, now: datetime, reason: str) -> None:
        row = self.rows.get(session_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at, row.revoked_reason = now, reason

    async def revoke_all(
        self,
        user_id: uuid.UUID,
        *,
        now: datetime,
        reason: str,
        keep: uuid.UUID | None = None,
    ) -> None:
        for row in self.rows.values():
            if row.user_id == user_id and row.revoked_at is None and row.id != keep:
                row.revoked_at, row.revoked_reason = now, reason

    def _add_token(self, token_hash: str, session_id: uuid.UUID, now: datetime) -> None:
        assert token_hash not in self.refresh_tokens, "primary key"
        self.refresh_tokens[token_hash] = RefreshTokenRow(session_id=session_id, issued_at=now)


class FakeOneTimeTokens:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[str, OneTimeTokenRow]:
        return self._uow.table("one_time_tokens")

    async def issue(
        self, *, token_hash: str, user_id: uuid.UUID, purpose: str, expires_at: datetime
    ) -> None:
        assert token_hash not in self.rows, "primary key"
        self.rows[token_hash] = OneTimeTokenRow(
            user_id=user_id, purpose=purpose, expires_at=expires_at
        )

    async def consume(self, *, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        row = self.rows.get(token_hash)
        if row is None or row.purpose != purpose or row.used_at is not None:
            return None
        if row.expires_at <= now:
            return None
        row.used_at = now
        return row.user_id


class FakeIdentityUnitOfWork(FakeUnitOfWork):
    """Changes become visible only on commit, as in a transaction; events land in ``outbox``."""

    def __init__(self) -> None:
        super().__init__(integration_events)
        self.users = FakeUserRepository(self)
        self.sessions = FakeSessionRepository(self)
        self.tokens = FakeOneTimeTokens(self)

    def user(self, user_id: uuid.UUID) -> User:
        """A committed user."""
        user: User = self.committed["users"][user_id]
        return user

    def user_by_email(self, email: str) -> User | None:
        users: dict[uuid.UUID, User] = self.committed.get("users", {})
        return next((user for user in users.values() if user.email == email), None)

    def sessions_of(self, user_id: uuid.UUID) -> list[SessionRow]:
        rows: dict[uuid.UUID, SessionRow] = self.committed.get("sessions", {})
        return [row for row in rows.values() if row.user_id == user_id]

    def one_time_tokens(self) -> dict[str, OneTimeTokenRow]:
        rows: dict[str, OneTimeTokenRow] = self.committed.get("one_time_tokens", {})
        return rows


class FakeIdentityReadModel:
    """Reads what the fake unit of work committed, as the SQL read model reads the tables."""

    def __init__(self, uow: FakeIdentityUnitOfWork) -> None:
        self._uow = uow

    def _users(self) -> list[User]:
        return list(self._uow.committed.get("users", {}).values())

    async def get_user(self, user_id: uuid.UUID) -> UserView:
        found = next((user for user in self._users() if user.id == user_id), None)
        if found is None:
            raise UserNotFound(f"no user {user_id}")
        return user_view(found)

    async def list_users(
        self,
        *,
        q: str | None,
        role: str | None,
        disabled: bool | None,
        limit: int,
        cursor: str | None,
    ) -> UserPage:
        found = [
            user
            for user in self._users()
            if (not q or q.lower() in user.email.lower() or q.lower() in user.full_name.lower())
            and (role is None or user.role == role)
            and (disabled is None or user.is_disabled == disabled)
        ]
        found.sort(key=lambda user: (user.created_at, user.id), reverse=True)  # newest first
        if cursor is not None:
            last = _position(cursor)
            found = [user for user in found if (user.created_at, user.id) < last]
        page = found[:limit]
        more = len(found) > limit
        last_user = page[-1] if page else None
        return UserPage(
            items=[user_view(user) for user in page],
            next_cursor=encode_cursor([last_user.created_at.isoformat(), str(last_user.id)])
            if more and last_user is not None
            else None,
        )

    async def session_active(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        rows: dict[uuid.UUID, SessionRow] = self._uow.committed.get("sessions", {})
        row = rows.get(session_id)
        return row is not None and row.user_id == user_id and row.revoked_at is None


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    created_at, user_id = decode_cursor(cursor, length=2)
    try:
        return datetime.fromisoformat(created_at), uuid.UUID(str(user_id))
    except (TypeError, ValueError):
        raise InvalidCursor("the cursor is not one this API returned") from None


class FakeHasher:
    """Fast and deterministic: ``<scheme>$sha256``. Hashes of another scheme verify but need
    a rehash, as argon2 hashes of older parameters do. Counts its work, so a test can see
    that an unknown email cost a verification too."""

    def __init__(self, scheme: str = "fake2") -> None:
        self.scheme = scheme
        self.hashes = 0
        self.verifications = 0

    def hash_now(self, password: str, scheme: str | None = None) -> str:
        digest = hashlib.sha256(password.encode()).hexdigest()
        return f"{scheme or self.scheme}${digest}"

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return self.hash_now(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        scheme, _, _ = password_hash.partition("$")
        return password_hash == self.hash_now(password, scheme)

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}$")

    async def waste_time(self, password: str) -> None:
        await self.verify(self.hash_now("a password nobody has"), password)


class FakeAccessTokens:
    """Readable tokens, ``access:<user>:<role>:<session>:<expiry>``: a test sees what a token
    says without a signature to check."""

    def __init__(self, lifetime_s: int = 900) -> None:
        self.lifetime_s = lifetime_s

    def issue(self, principal: Principal, *, now: datetime) -> str:
        expires = (now + timedelta(seconds=self.lifetime_s)).isoformat()
        return f"access:{principal.user_id}:{principal.role}:{principal.session_id}:{expires}"

    def read(self, token: str) -> Principal:
        kind, user_id, role, session_id, _ = token.split(":", 4)
        if kind != "access":
            raise NotAuthenticated("not an access token")
        return Principal(user_id=uuid.UUID(user_id), role=role, session_id=uuid.UUID(session_id))
