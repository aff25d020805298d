"""What the identity module answers, through the mediator with the fake read model."""

from __future__ import annotations

import uuid

import pytest

from orion.modules.identity.application.queries import GetUser, ListUsers
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.identity.domain.errors import UserNotFound

from .conftest import Identity


async def test_get_user_answers_the_committed_account(identity: Identity) -> None:
    user = await identity.customer()
    view = await identity.ask(GetUser(user_id=user.id))
    assert (view.id, view.email, view.role, view.disabled) == (
        user.id,
        "ada@example.com",
        "customer",
        False,
    )
    with pytest.raises(UserNotFound):
        await identity.ask(GetUser(user_id=uuid.uuid4()))


async def test_a_customer_contact_is_its_email_and_name(identity: Identity) -> None:
    user = await identity.customer()
    assert await identity.ask(GetCustomerContact(user_id=user.id)) == CustomerContact(
        user_id=user.id, email="ada@example.com", full_name="Ada Lovelace"
    )
    with pytest.raises(UserNotFound):
        await identity.ask(GetCustomerContact(user_id=uuid.uuid4()))


async def test_list_users_passes_every_filter_and_pages(identity: Identity) -> None:
    emails = ["smith0@example.com", "smith1@example.com", "smith2@example.com"]
    for email in [*emails, "jones@example.com"]:
        await identity.customer(email)
        identity.clock.advance(seconds=1)
    await identity.customer("smith3@example.com", disabled_at=identity.clock.now())

    first = await identity.ask(ListUsers(q="SMITH", disabled=False, role="customer", limit=2))
    assert [item.email for item in first.items] == ["smith2@example.com", "smith1@example.com"]
    assert first.next_cursor is not None
    rest = await identity.ask(
        ListUsers(q="SMITH", disabled=False, role="customer", limit=2, cursor=first.next_cursor)
    )
    assert [item.email for item in rest.items] == ["smith0@example.com"]
    assert rest.next_cursor is None
    assert (await identity.ask(ListUsers(role="admin"))).items == []
    disabled = await identity.ask(ListUsers(disabled=True))
    assert [item.email for item in disabled.items] == ["smith3@example.com"]
