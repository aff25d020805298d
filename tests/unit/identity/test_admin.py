"""What an admin does to accounts, and the console's admin, through the mediator with fakes."""

from __future__ import annotations

import uuid

import pytest

from orion.modules.identity.application.commands import (
    ChangeRole,
    DisableUser,
    EnableUser,
    LogIn,
)
from orion.modules.identity.contracts.commands import AdminAccount, CreateAdmin
from orion.modules.identity.contracts.events import UserChangedV1
from orion.modules.identity.domain.errors import LastAdmin, UserNotFound, WeakPassword
from orion.modules.identity.domain.user import User

from .conftest import PASSWORD, Identity

OPERATOR_PASSWORD = "a long operator passphrase"


async def signed_in(identity: Identity, user: User) -> uuid.UUID:
    pair = await identity.send(LogIn(email=user.email, password=PASSWORD))
    identity.forget()
    return identity.tokens.read(pair.access_token).session_id


def reasons(identity: Identity, user: User) -> list[str | None]:
    return [row.revoked_reason for row in identity.uow.sessions_of(user.id)]


def changed(identity: Identity, user: User, version: int, *changes: str) -> UserChangedV1:
    return UserChangedV1(
        aggregate_id=user.id,
        aggregate_version=version,
        occurred_at=identity.clock.now(),
        changes=list(changes),
    )


async def test_disable_ends_the_sessions_and_stages_user_changed_once(identity: Identity) -> None:
    user = await identity.customer()
    await signed_in(identity, user)

    view = await identity.send(DisableUser(user_id=user.id))

    assert view.disabled
    assert identity.uow.user(user.id).disabled_at == identity.clock.now()
    assert reasons(identity, user) == ["disabled"]
    assert identity.uow.outbox == [changed(identity, user, 2, "disabled")]
    identity.forget()
    await identity.send(DisableUser(user_id=user.id))  # already disabled: nothing new
    assert identity.uow.outbox == []


async def test_enable_lets_the_account_in_again(identity: Identity) -> None:
    user = await identity.customer(disabled_at=identity.clock.now())

    view = await identity.send(EnableUser(user_id=user.id))

    assert not view.disabled
    assert identity.uow.user(user.id).disabled_at is None
    assert identity.uow.outbox == [changed(identity, user, 2, "enabled")]
    await signed_in(identity, user)


async def test_a_role_change_ends_the_sessions_of_the_old_role(identity: Identity) -> None:
    user = await identity.customer()
    await signed_in(identity, user)

    view = await identity.send(ChangeRole(user_id=user.id, role="admin"))

    assert view.role == identity.uow.user(user.id).role == "admin"
    assert reasons(identity, user) == ["role changed"]
    assert identity.uow.outbox == [changed(identity, user, 2, "role")]


@pytest.mark.parametrize(
    "command",
    [
        DisableUser(user_id=uuid.uuid4()),
        EnableUser(user_id=uuid.uuid4()),
        ChangeRole(user_id=uuid.uuid4(), role="admin"),
    ],
    ids=type,
)
async def test_managing_an_unknown_user_is_user_not_found(
    identity: Identity, command: DisableUser | EnableUser | ChangeRole
) -> None:
    with pytest.raises(UserNotFound):
        await identity.send(command)
    assert identity.uow.commits == 0


async def test_create_admin_makes_a_verified_admin_and_tells_nobody(identity: Identity) -> None:
    account = await identity.send(
        CreateAdmin(email=" Ops@Example.com", password=OPERATOR_PASSWORD, full_name="Ops")
    )

    assert account == AdminAccount(user_id=account.user_id, email="ops@example.com")
    admin = identity.uow.user(account.user_id)
    assert (admin.role, admin.email_verified_at) == ("admin", identity.clock.now())
    assert admin.password_hash == identity.hasher.hash_now(OPERATOR_PASSWORD)
    assert identity.uow.outbox == []


async def test_create_admin_promotes_an_existing_account_and_ends_its_sessions(
    identity: Identity,
) -> None:
    user = await identity.customer()
    await signed_in(identity, user)
    identity.uow.user(user.id).disabled_at = identity.clock.now()

    account = await identity.send(
        CreateAdmin(email="ADA@example.com", password=OPERATOR_PASSWORD, full_name="ignored")
    )

    assert account.user_id == user.id
    stored = identity.uow.user(user.id)
    assert (stored.role, stored.disabled_at, stored.full_name) == ("admin", None, "Ada Lovelace")
    assert stored.password_hash == identity.hasher.hash_now(OPERATOR_PASSWORD)
    assert reasons(identity, user) == ["promoted to admin"]
    assert identity.uow.outbox == [changed(identity, user, 2, "enabled", "password", "role")]


async def test_create_admin_refuses_a_weak_password_before_hashing(identity: Identity) -> None:
    with pytest.raises(WeakPassword):
        await identity.send(CreateAdmin(email="ops@example.com", password="ops", full_name="O"))
    assert identity.hasher.hashes == 0
    assert identity.uow.commits == 0


async def test_the_last_active_admin_is_neither_demoted_nor_disabled(identity: Identity) -> None:
    account = await identity.send(
        CreateAdmin(email="ops@example.com", password=OPERATOR_PASSWORD, full_name="Ops")
    )
    other = await identity.customer("grace@example.com", role="admin")
    identity.uow.user(other.id).disabled_at = identity.clock.now()  # no admin to count on

    for refused in (
        ChangeRole(user_id=account.user_id, role="customer"),
        DisableUser(user_id=account.user_id),
    ):
        with pytest.raises(LastAdmin):
            await identity.send(refused)
    admin = identity.uow.user(account.user_id)
    assert (admin.role, admin.disabled_at) == ("admin", None)
    assert identity.uow.commits == 0
    assert identity.uow.outbox == []

    await identity.send(EnableUser(user_id=other.id))
    await identity.send(DisableUser(user_id=account.user_id))  # the other one remains
    with pytest.raises(LastAdmin):
        await identity.send(ChangeRole(user_id=other.id, role="customer"))
    await identity.send(ChangeRole(user_id=other.id, role="admin"))  # no change: allowed
