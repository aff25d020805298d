"""Changing a password, and resetting it through an emailed link, through the mediator with
fakes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from orion.modules.identity.application.commands import (
    ChangePassword,
    LogIn,
    RequestPasswordReset,
    ResetPassword,
)
from orion.modules.identity.application.tokens import token_hash
from orion.modules.identity.contracts.events import (
    PasswordResetAskedV1,
    PasswordResetRequestedV1,
    UserChangedV1,
)
from orion.modules.identity.domain.errors import InvalidToken, WeakPassword, WrongPassword
from orion.modules.identity.domain.user import User

from .conftest import PASSWORD, Identity

NEW_PASSWORD = "difference engine 1822"


async def sessions(identity: Identity, count: int) -> list[uuid.UUID]:
    """Signs in ``count`` times: the sessions' ids."""
    ids = []
    for _ in range(count):
        pair = await identity.send(LogIn(email="ada@example.com", password=PASSWORD))
        ids.append(identity.tokens.read(pair.access_token).session_id)
    identity.forget()
    return ids


def revoked(identity: Identity, user: User) -> dict[uuid.UUID, str | None]:
    return {row.id: row.revoked_reason for row in identity.uow.sessions_of(user.id)}


async def reset_token(identity: Identity, email: str = "ada@example.com") -> str:
    await identity.send(RequestPasswordReset(email=email))
    await identity.deliver()
    [requested] = [e for e in identity.uow.outbox if isinstance(e, PasswordResetRequestedV1)]
    identity.forget()
    return requested.reset_token


def change(user: User, session_id: uuid.UUID, current: str = PASSWORD) -> ChangePassword:
    return ChangePassword(
        user_id=user.id, session_id=session_id, current_password=current, new_password=NEW_PASSWORD
    )


# --- change password ------------------------------------------------------------------------


async def test_change_password_ends_every_other_session_and_stages_user_changed(
    identity: Identity,
) -> None:
    user = await identity.customer()
    mine, other = await sessions(identity, 2)

    await identity.send(change(user, mine))

    stored = identity.uow.user(user.id)
    assert stored.password_hash == identity.hasher.hash_now(NEW_PASSWORD)
    assert revoked(identity, user) == {mine: None, other: "password changed"}
    assert identity.uow.outbox == [
        UserChangedV1(
            aggregate_id=user.id,
            aggregate_version=2,
            occurred_at=identity.clock.now(),
            changes=["password"],
        )
    ]


async def test_change_password_refuses_a_wrong_current_password_and_a_weak_new_one(
    identity: Identity,
) -> None:
    user = await identity.customer()
    [mine] = await sessions(identity, 1)
    with pytest.raises(WrongPassword):
        await identity.send(change(user, mine, current="not the password"))
    with pytest.raises(WeakPassword):
        await identity.send(
            ChangePassword(
                user_id=user.id,
                session_id=mine,
                current_password=PASSWORD,
                new_password="password123",
            )
        )
    assert identity.hasher.hashes == 0
    assert identity.uow.user(user.id).password_hash == identity.hasher.hash_now(PASSWORD)
    assert identity.uow.outbox == []


async def test_change_password_refuses_when_the_password_changed_meanwhile(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the new one is hashed, outside any transaction, a reset lands first."""
    user = await identity.customer()
    [mine] = await sessions(identity, 1)
    hash_password = identity.hasher.hash

    async def hash_while_reset(password: str) -> str:
        identity.uow.user(user.id).password_hash = identity.hasher.hash_now("reset meanwhile")
        return await hash_password(password)

    monkeypatch.setattr(identity.hasher, "hash", hash_while_reset)
    with pytest.raises(WrongPassword):
        await identity.send(change(user, mine))
    assert identity.uow.user(user.id).password_hash == identity.hasher.hash_now("reset meanwhile")


# --- request a reset ------------------------------------------------------------------------


async def test_a_reset_request_only_records_that_a_link_was_asked_for(
    identity: Identity,
) -> None:
    """Known or not, the email costs the same before the answer: one event, nothing read."""
    await identity.customer()
    for email in (" Ada@Example.com", "nobody@example.com"):
        assert await identity.send(RequestPasswordReset(email=email)) is None
    assert [(type(e), e.email) for e in identity.uow.outbox] == [  # type: ignore[attr-defined]
        (PasswordResetAskedV1, "ada@example.com"),
        (PasswordResetAskedV1, "nobody@example.com"),
    ]
    assert [event.occurred_at for event in identity.uow.outbox] == [identity.clock.now()] * 2
    purposes = [row.purpose for row in identity.uow.one_time_tokens().values()]
    assert purposes == ["email_verification"]  # no reset token yet


async def test_after_the_answer_an_account_gets_a_one_hour_token_and_its_email(
    identity: Identity,
) -> None:
    user = await identity.customer()
    await identity.send(RequestPasswordReset(email=" Ada@Example.com"))
    identity.clock.advance(seconds=2)

    await identity.deliver()

    now = identity.clock.now()
    [event] = [e for e in identity.uow.outbox if isinstance(e, PasswordResetRequestedV1)]
    assert event == PasswordResetRequestedV1(
        aggregate_id=user.id,
        aggregate_version=1,  # asking changes nothing of the account
        occurred_at=now,
        email="ada@example.com",
        full_name="Ada Lovelace",
        reset_token=event.reset_token,
        expires_at=(now + timedelta(hours=1)).isoformat(),
    )
    row = identity.uow.one_time_tokens()[token_hash(event.reset_token)]
    assert (row.user_id, row.purpose, row.expires_at) == (
        user.id,
        "password_reset",
        now + timedelta(hours=1),
    )


async def test_an_unknown_email_or_a_disabled_account_gets_no_link(identity: Identity) -> None:
    await identity.customer("grace@example.com", disabled_at=identity.clock.now())
    for email in ("nobody@example.com", "grace@example.com"):
        await identity.send(RequestPasswordReset(email=email))
    await identity.deliver()
    assert [type(event) for event in identity.uow.outbox] == [PasswordResetAskedV1] * 2
    purposes = [row.purpose for row in identity.uow.one_time_tokens().values()]
    assert purposes == ["email_verification"]  # the registration's, no other


# --- reset ----------------------------------------------------------------------------------


async def test_a_reset_sets_the_password_ends_every_session_and_spends_the_token(
    identity: Identity,
) -> None:
    user = await identity.customer()
    first, second = await sessions(identity, 2)
    token = await reset_token(identity)

    await identity.send(ResetPassword(token=token, new_password=NEW_PASSWORD))

    assert identity.uow.user(user.id).password_hash == identity.hasher.hash_now(NEW_PASSWORD)
    assert revoked(identity, user) == {first: "password reset", second: "password reset"}
    assert [type(event) for event in identity.uow.outbox] == [UserChangedV1]
    with pytest.raises(InvalidToken):
        await identity.send(ResetPassword(token=token, new_password="a third passphrase"))


async def test_a_reset_refuses_an_expired_token(identity: Identity) -> None:
    user = await identity.customer()
    token = await reset_token(identity)
    identity.clock.advance(hours=1)
    with pytest.raises(InvalidToken):
        await identity.send(ResetPassword(token=token, new_password=NEW_PASSWORD))
    assert identity.uow.user(user.id).password_hash == identity.hasher.hash_now(PASSWORD)


@pytest.mark.parametrize("weak", ["password123", "ADA.LOVELACE"])
async def test_a_weak_new_password_keeps_the_token_for_another_try(
    identity: Identity, weak: str
) -> None:
    """The second is the email's own name: refused once the token names the account."""
    user = await identity.customer("ada.lovelace@example.com")
    token = await reset_token(identity, "ada.lovelace@example.com")
    with pytest.raises(WeakPassword):
        await identity.send(ResetPassword(token=token, new_password=weak))
    assert identity.uow.outbox == []

    await identity.send(ResetPassword(token=token, new_password=NEW_PASSWORD))
    assert identity.uow.user(user.id).password_hash == identity.hasher.hash_now(NEW_PASSWORD)
