"""Signing in, refreshing and signing out, through the mediator with fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from orion.modules.identity.application.commands import LogIn, LogOut, Refresh
from orion.modules.identity.application.queries import TokenPair
from orion.modules.identity.application.tokens import token_hash
from orion.modules.identity.domain.errors import (
    AccountDisabled,
    InvalidCredentials,
    SessionEnded,
)
from orion.modules.identity.domain.user import User

from .conftest import PASSWORD, Identity


async def log_in(identity: Identity, email: str = "ada@example.com") -> TokenPair:
    return await identity.send(LogIn(email=email, password=PASSWORD))


def session_of(identity: Identity, pair: TokenPair) -> Any:
    principal = identity.tokens.read(pair.access_token)
    return identity.uow.committed["sessions"][principal.session_id]


# --- log in ---------------------------------------------------------------------------------


async def test_log_in_starts_a_session_and_answers_its_tokens(identity: Identity) -> None:
    user = await identity.customer()

    pair = await identity.send(LogIn(email=" ADA@example.com", password=PASSWORD))

    principal = identity.tokens.read(pair.access_token)
    assert (principal.user_id, principal.role) == (user.id, "customer")
    assert pair.expires_in == 900
    session = session_of(identity, pair)
    now = identity.clock.now()
    assert (session.user_id, session.expires_at, session.revoked_at) == (
        user.id,
        now + timedelta(days=30),
        None,
    )
    refresh = identity.uow.committed["refresh_tokens"][token_hash(pair.refresh_token)]
    assert (refresh.session_id, refresh.spent_at) == (session.id, None)
    assert identity.uow.commits == 1
    assert identity.uow.outbox == []


async def test_a_wrong_password_and_an_unknown_email_are_refused_alike(
    identity: Identity,
) -> None:
    await identity.customer()
    refusals = []
    for email, password in (("ada@example.com", "not the password"), ("nobody@x.org", PASSWORD)):
        with pytest.raises(InvalidCredentials) as refused:
            await identity.send(LogIn(email=email, password=password))
        refusals.append(refused.value.detail)
    assert refusals[0] == refusals[1]
    # the unknown email cost a verification too (against a decoy), so it answers as slowly
    assert identity.hasher.verifications == 2
    assert identity.uow.committed.get("sessions", {}) == {}


async def test_a_disabled_account_is_told_so_only_with_the_right_password(
    identity: Identity,
) -> None:
    await identity.customer(disabled_at=identity.clock.now())
    with pytest.raises(InvalidCredentials):
        await identity.send(LogIn(email="ada@example.com", password="not the password"))
    with pytest.raises(AccountDisabled):
        await log_in(identity)
    assert identity.uow.committed.get("sessions", {}) == {}


async def test_an_old_hash_is_rehashed_at_log_in_and_nothing_is_told(identity: Identity) -> None:
    old_hash = identity.hasher.hash_now(PASSWORD, scheme="fake1")
    user = await identity.customer(password_hash=old_hash)
    identity.clock.advance(minutes=1)

    await log_in(identity)

    stored = identity.uow.user(user.id)
    assert stored.password_hash == identity.hasher.hash_now(PASSWORD)
    assert (stored.version, stored.updated_at) == (2, identity.clock.now())
    assert identity.uow.outbox == []
    await log_in(identity)  # the new hash verifies
    assert identity.uow.user(user.id).version == 2


async def test_a_password_changed_while_verifying_refuses_the_log_in(
    identity: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the two transactions (while argon2 works) a reset lands: the password that was
    just verified is no longer the account's."""
    user = await identity.customer()
    verify = identity.hasher.verify

    async def verify_then_reset(password_hash: str, password: str) -> bool:
        identity.uow.user(user.id).password_hash = identity.hasher.hash_now("another one")
        return await verify(password_hash, password)

    monkeypatch.setattr(identity.hasher, "verify", verify_then_reset)
    with pytest.raises(InvalidCredentials):
        await log_in(identity)
    assert identity.uow.committed.get("sessions", {}) == {}


# --- refresh --------------------------------------------------------------------------------


async def test_refresh_spends_the_token_and_answers_a_new_pair_of_the_same_session(
    identity: Identity,
) -> None:
    await identity.customer()
    first = await log_in(identity)
    identity.clock.advance(minutes=20)

    second = await identity.send(Refresh(refresh_token=first.refresh_token))

    assert second.refresh_token != first.refresh_token
    assert session_of(identity, second).id == session_of(identity, first).id
    refresh_tokens = identity.uow.committed["refresh_tokens"]
    assert refresh_tokens[token_hash(first.refresh_token)].spent_at == identity.clock.now()
    assert refresh_tokens[token_hash(second.refresh_token)].spent_at is None


async def test_a_reused_refresh_token_ends_the_whole_session(identity: Identity) -> None:
    await identity.customer()
    first = await log_in(identity)
    second = await identity.send(Refresh(refresh_token=first.refresh_token))

    with pytest.raises(SessionEnded):
        await identity.send(Refresh(refresh_token=first.refresh_token))

    session = session_of(identity, first)
    assert (session.revoked_at, session.revoked_reason) == (
        identity.clock.now(),
        "refresh token reused",
    )
    with pytest.raises(SessionEnded):  # the thief's (or the owner's) newer token too
        await identity.send(Refresh(refresh_token=second.refresh_token))


async def test_refresh_refuses_an_unknown_token_an_ended_session_and_a_disabled_account(
    identity: Identity,
) -> None:
    user = await identity.customer()
    with pytest.raises(SessionEnded):
        await identity.send(Refresh(refresh_token="never issued"))

    logged_out = await log_in(identity)
    await identity.send(LogOut(refresh_token=logged_out.refresh_token))
    with pytest.raises(SessionEnded):
        await identity.send(Refresh(refresh_token=logged_out.refresh_token))

    expired = await log_in(identity)
    identity.clock.advance(days=30)
    with pytest.raises(SessionEnded):
        await identity.send(Refresh(refresh_token=expired.refresh_token))

    disabled = await log_in(identity)
    stored: User = identity.uow.user(user.id)
    stored.disabled_at = identity.clock.now()
    with pytest.raises(SessionEnded):
        await identity.send(Refresh(refresh_token=disabled.refresh_token))


# --- log out --------------------------------------------------------------------------------


async def test_log_out_ends_the_session_and_an_unknown_token_is_no_error(
    identity: Identity,
) -> None:
    await identity.customer()
    pair, other = await log_in(identity), await log_in(identity)

    await identity.send(LogOut(refresh_token=pair.refresh_token))
    await identity.send(LogOut(refresh_token="never issued"))

    assert session_of(identity, pair).revoked_reason == "logout"
    assert session_of(identity, other).revoked_at is None
