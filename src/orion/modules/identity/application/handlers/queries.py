"""What the identity module answers: a user, a customer's contact (for other modules), and
the admins' user list; all from the read model, none in a transaction."""

from __future__ import annotations

from orion.modules.identity.application.ports import IdentityReadModel
from orion.modules.identity.application.queries import GetUser, ListUsers, UserPage, UserView
from orion.modules.identity.contracts.queries import (
    CustomerContact,
    CustomerRecord,
    GetCustomerContact,
    ListCustomerRecords,
)
from orion.modules.identity.contracts.sessions import GetSessionRole


class GetUserHandler:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetUser) -> UserView:
        return await self._read_model.get_user(query.user_id)


class GetCustomerContactHandler:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetCustomerContact) -> CustomerContact:
        user = await self._read_model.get_user(query.user_id)
        return CustomerContact(user_id=user.id, email=user.email, full_name=user.full_name)


class ListUsersHandler:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListUsers) -> UserPage:
        return await self._read_model.list_users(
            q=query.q,
            role=query.role,
            disabled=query.disabled,
            limit=query.limit,
            cursor=query.cursor,
        )


class ListCustomerRecordsHandler:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListCustomerRecords) -> list[CustomerRecord]:
        return await self._read_model.customer_records(query)


class GetSessionRoleHandler:
    def __init__(self, read_model: IdentityReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetSessionRole) -> str | None:
        return await self._read_model.session_role(query.session_id, query.user_id)
