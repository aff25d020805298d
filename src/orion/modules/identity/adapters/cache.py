"""The identity read model behind the read-through cache (ADR 14): a user's profile (what
``GET /api/v1/me``, the admin's user page and other modules' contact queries read) is cached
under the user's id; user lists and the per-request session check go to SQL (a revoked
session must end at once).

``stale_keys`` says what each identity event makes stale: the identity unit of work drops it
after its commit, and identity's subscription to its own events drops it again through the
inbox.
"""

from __future__ import annotations

import uuid

import orjson

from orion.modules.identity.adapters.sql.read_model import SqlIdentityReadModel
from orion.modules.identity.application.queries import UserPage, UserView
from orion.modules.identity.contracts.events import UserChangedV1
from orion.modules.identity.contracts.queries import CustomerRecord, ListCustomerRecords
from orion.shared_kernel.adapters.cache import ReadThroughCache
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.application.primitives import from_primitive, to_primitive


class CachedIdentityReadModel:
    def __init__(self, inner: SqlIdentityReadModel, cache: ReadThroughCache) -> None:
        self._inner = inner
        self._cache = cache

    async def get_user(self, user_id: uuid.UUID) -> UserView:
        return await self._cache.get_or_load(
            str(user_id), lambda: self._inner.get_user(user_id), _encode, _decode
        )

    async def list_users(
        self,
        *,
        q: str | None,
        role: str | None,
        disabled: bool | None,
        limit: int,
        cursor: str | None,
    ) -> UserPage:
        return await self._inner.list_users(
            q=q, role=role, disabled=disabled, limit=limit, cursor=cursor
        )

    async def session_active(self, session_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        return await self._inner.session_active(session_id, user_id)

    async def customer_records(self, query: ListCustomerRecords) -> list[CustomerRecord]:
        return await self._inner.customer_records(query)  # a rebuild's pass: nothing to keep

    async def session_role(self, session_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
        return await self._inner.session_role(session_id, user_id)


def stale_keys(event: IntegrationEvent) -> list[str]:
    """A changed account's cached profile."""
    return [str(event.aggregate_id)] if isinstance(event, UserChangedV1) else []


def _encode(view: UserView) -> bytes:
    return orjson.dumps(to_primitive(view))


def _decode(raw: bytes) -> UserView:
    view: UserView = from_primitive(UserView, orjson.loads(raw))
    return view
