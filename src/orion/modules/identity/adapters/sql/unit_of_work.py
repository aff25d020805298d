"""The identity module's unit of work and its repositories."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.identity.application.events import integration_events
from orion.modules.identity.application.ports import SessionState
from orion.modules.identity.domain.errors import EmailTaken, UserNotFound
from orion.modules.identity.domain.user import Address, User
from orion.shared_kernel.adapters.sql.unit_of_work import AfterCommit, SqlUnitOfWork, Track
from orion.shared_kernel.domain.roles import ADMIN

from .tables import audit, inbox, one_time_tokens, outbox, refresh_tokens, sessions, users


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track

    async def get(self, user_id: uuid.UUID) -> User:
        row = (
            (
                await self._connection.execute(
                    sa.select(users).where(users.c.id == user_id).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise UserNotFound(f"no user {user_id}")
        return self._track(_user(row))

    async def by_email(self, email: str) -> User | None:
        row = (
            (
                await self._connection.execute(
                    sa.select(users).where(users.c.email == email).with_for_update()
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else self._track(_user(row))

    async def add(self, user: User) -> None:
        # ON CONFLICT rather than a caught unique violation: no savepoint, no server error
        inserted = await self._connection.execute(
            insert(users).values(**_row(user)).on_conflict_do_nothing(index_elements=["email"])
        )
        if inserted.rowcount != 1:
            raise EmailTaken("an account with this email exists")
        user.mark_persisted()
        self._track(user)

    async def save(self, user: User) -> None:
        await self._connection.execute(
            users.update().where(users.c.id == user.id).values(**_row(user))
        )
        user.mark_persisted()

    async def active_admins(self) -> list[uuid.UUID]:
        # FOR UPDATE above ORDER BY: the rows are locked as they come out of the sort; a
        # waiting transaction re-checks its WHERE, so it no longer counts a demoted admin
        rows = await self._connection.execute(
            sa.select(users.c.id)
            .where(users.c.role == ADMIN, users.c.disabled_at.is_(None))
            .order_by(users.c.id)
            .with_for_update()
        )
        return list(rows.scalars())


class SqlSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def start(
        self,
        *,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        await self._connection.execute(
            sessions.insert().values(
                id=session_id, user_id=user_id, created_at=now, expires_at=expires_at
            )
        )
        await self._connection.execute(
            refresh_tokens.insert().values(
                token_hash=refresh_hash, session_id=session_id, issued_at=now
            )
        )

    async def by_refresh_hash(self, refresh_hash: str) -> tuple[SessionState, bool] | None:
        row = (
            (
                await self._connection.execute(
                    sa.select(sessions, refresh_tokens.c.spent_at)
                    .join(refresh_tokens, refresh_tokens.c.session_id == sessions.c.id)
                    .where(refresh_tokens.c.token_hash == refresh_hash)
                    # the token's row too: a racing refresh that waited for it then sees it
                    # spent (READ COMMITTED re-reads only the rows it locks)
                    .with_for_update(of=(sessions, refresh_tokens))
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        state = SessionState(
            id=row["id"],
            user_id=row["user_id"],
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
        )
        return state, row["spent_at"] is not None

    async def rotate(
        self, session_id: uuid.UUID, spent_hash: str, new_hash: str, now: datetime
    ) -> None:
        await self._connection.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.token_hash == spent_hash)
            .values(spent_at=now)
        )
        await self._connection.execute(
            refresh_tokens.insert().values(
                token_hash=new_hash, session_id=session_id, issued_at=now
            )
        )

    async def revoke(self, session_id: uuid.UUID, *, now: datetime, reason: str) -> None:
        await self._connection.execute(
            sessions.update()
            .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )

    async def revoke_all(
        self,
        user_id: uuid.UUID,
        *,
        now: datetime,
        reason: str,
        keep: uuid.UUID | None = None,
    ) -> None:
        statement = sessions.update().where(
            sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(sessions.c.id != keep)
        await self._connection.execute(statement.values(revoked_at=now, revoked_reason=reason))


class SqlOneTimeTokens:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def issue(
        self, *, token_hash: str, user_id: uuid.UUID, purpose: str, expires_at: datetime
    ) -> None:
        await self._connection.execute(
            one_time_tokens.insert().values(
                token_hash=token_hash, user_id=user_id, purpose=purpose, expires_at=expires_at
            )
        )

    async def consume(self, *, token_hash: str, purpose: str, now: datetime) -> uuid.UUID | None:
        user_id: uuid.UUID | None = await self._connection.scalar(
            one_time_tokens.update()
            .where(
                one_time_tokens.c.token_hash == token_hash,
                one_time_tokens.c.purpose == purpose,
                one_time_tokens.c.used_at.is_(None),
                one_time_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(one_time_tokens.c.user_id)
        )
        return user_id


class SqlIdentityUnitOfWork(SqlUnitOfWork):
    users: SqlUserRepository
    sessions: SqlSessionRepository
    tokens: SqlOneTimeTokens

    def __init__(self, engine: AsyncEngine, after_commit: AfterCommit | None = None) -> None:
        super().__init__(
            engine, outbox, inbox, events=integration_events, after_commit=after_commit, audit=audit
        )

    def _open(self, connection: AsyncConnection) -> None:
        self.users = SqlUserRepository(connection, self.track)
        self.sessions = SqlSessionRepository(connection)
        self.tokens = SqlOneTimeTokens(connection)


def _row(user: User) -> dict[str, Any]:
    address = user.shipping_address
    return {
        "id": user.id,
        "email": user.email,
        "password_hash": user.password_hash,
        "full_name": user.full_name,
        "role": user.role,
        "email_verified_at": user.email_verified_at,
        "disabled_at": user.disabled_at,
        "shipping_address": None if address is None else dataclasses.asdict(address),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
    }


def _user(row: Any) -> User:
    address = row["shipping_address"]
    return User(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        full_name=row["full_name"],
        role=row["role"],
        email_verified_at=row["email_verified_at"],
        disabled_at=row["disabled_at"],
        shipping_address=None if address is None else Address(**address),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )
