"""Queries straight to views; the session check is the per-request revocation test."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.identity.application.queries import UserPage, UserView
from orion.modules.identity.contracts.queries import CustomerRecord, ListCustomerRecords
from orion.modules.identity.domain.errors import UserNotFound
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.compiled import CompiledQuery
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.domain.roles import CUSTOMER

from .tables import sessions, users

_VIEW = (
    users.c.id,
    users.c.email,
    users.c.full_name,
    users.c.role,
    users.c.email_verified_at,
    users.c.disabled_at,
    users.c.shipping_address,
    users.c.created_at,
)
# Two primary-key lookups per authenticated request: is this session still on, and what is
# its user's role now (not when the token was signed: a demotion counts at once)?
_SESSION_ROLE = CompiledQuery(
    sa.select(users.c.role)
    .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
    .where(
        sessions.c.id == sa.bindparam("session_id"),
        sessions.c.user_id == sa.bindparam("user_id"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > sa.func.now(),
    )
)


class SqlIdentityReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def get_user(self, user_id: uuid.UUID) -> UserView:
        async with self._engine.connect() as connection:
            row = (
                (await connection.execute(sa.select(*_VIEW).where(users.c.id == user_id)))
                .mappings()
                .first()
            )
        if row is None:
            raise UserNotFound(f"no user {user_id}")
        return _view(row)

    async def list_users(
        self,
        *,
        q: str | None,
        role: str | None,
        disabled: bool | None,
        limit: int,
        cursor: str | None,
    ) -> UserPage:
        statement = sa.select(*_VIEW)
        if q:
            pattern = keyset.contains(q)
            statement = statement.where(
                sa.or_(
                    users.c.email.ilike(pattern, escape="\\"),
                    users.c.full_name.ilike(pattern, escape="\\"),
                )
            )
        if role is not None:
            statement = statement.where(users.c.role == role)
        if disabled is not None:
            statement = statement.where(
                users.c.disabled_at.is_not(None) if disabled else users.c.disabled_at.is_(None)
            )
        key = users.c.created_at  # newest first
        if cursor is not None:
            statement = statement.where(keyset.after(key, users.c.id, cursor, descending=True))
        statement = statement.order_by(*keyset.order_by(key, users.c.id, descending=True))
        statement = statement.limit(limit + 1)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return UserPage(
            items=[_view(row) for row in rows[:limit]],
            next_cursor=keyset.next_cursor(list(rows), key, limit),
        )

    async def customer_records(self, query: ListCustomerRecords) -> list[CustomerRecord]:
        statement = (
            sa.select(users.c.id, users.c.created_at)
            .where(users.c.role == CUSTOMER)
            .order_by(users.c.id)
            .limit(query.limit)
        )
        if query.after is not None:
            statement = statement.where(users.c.id > query.after)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [CustomerRecord(user_id=row.id, registered_at=row.created_at) for row in rows]

    async def session_active(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        return await self.session_role(session_id, user_id) is not None

    async def session_role(self, session_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
        """The role of the session's user, or None when the session is over."""
        row = await _SESSION_ROLE.fetchrow(self._engine, session_id=session_id, user_id=user_id)
        return None if row is None else str(row["role"])


def _view(row: Any) -> UserView:
    return UserView(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        role=row["role"],
        email_verified=row["email_verified_at"] is not None,
        disabled=row["disabled_at"] is not None,
        shipping_address=row["shipping_address"],
        created_at=row["created_at"],
    )
