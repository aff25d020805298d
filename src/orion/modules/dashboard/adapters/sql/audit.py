"""The dashboard's own audit log: what an admin did there that changed no module's data
(a dead-letter replay moves messages, not rows), recorded as every other admin write is."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.sql.audit import record
from orion.shared_kernel.application.context import Actor
from orion.shared_kernel.domain.ids import new_id

from .tables import audit


class SqlOwnAudit:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __call__(
        self, actor: Actor, subject: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        row = {
            "id": new_id(),
            "actor_id": actor.user_id,
            "actor_email": actor.email,
            "action": actor.action,
            "subject": subject,
            "before": before,
            "after": after,
        }
        async with self._engine.begin() as connection:
            await record(connection, audit, [row])
