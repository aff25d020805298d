"""The dashboard's sessions in PostgreSQL: one primary-key read per page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.dashboard.application.sessions import WebSession
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import web_sessions


class SqlWebSessions:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = autocommit(engine)

    async def add(self, token_hash: bytes, session: WebSession) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                web_sessions.insert().values(
                    token_hash=token_hash,
                    user_id=session.user_id,
                    session_id=session.session_id,
                    email=session.email,
                    csrf_token=session.csrf_token,
                    expires_at=session.expires_at,
                )
            )
            # the expired ones go as new ones come: the table stays the size of who is on
            await connection.execute(
                web_sessions.delete().where(web_sessions.c.expires_at < sa.func.now())
            )

    async def find(self, token_hash: bytes) -> WebSession | None:
        async with self._reads.connect() as connection:
            row = (
                await connection.execute(
                    sa.select(web_sessions).where(web_sessions.c.token_hash == token_hash)
                )
            ).first()
        if row is None:
            return None
        return WebSession(
            user_id=row.user_id,
            session_id=row.session_id,
            email=row.email,
            csrf_token=row.csrf_token,
            expires_at=row.expires_at,
        )

    async def remove(self, token_hash: bytes) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                web_sessions.delete().where(web_sessions.c.token_hash == token_hash)
            )
