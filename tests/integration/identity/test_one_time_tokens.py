"""Password reset and email verification tokens: delivered in the outbox events the
notifications module mails, stored only hashed, good for one use and until they expire.
A reset ends every session; a reset request for an unknown email looks like any other."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import one_time_tokens
from orion.modules.identity.application.commands import DisableUser
from tests.conftest import Client

from .helpers import (
    PASSWORD,
    bearer,
    deliver,
    log_in,
    make_user,
    outbox_payloads,
    post,
    problem,
    refresh,
    register,
    sign_in,
)

EMAIL = "ada@example.com"
NEW_PASSWORD = "difference engine 1822"
REGISTERED = "identity.user_registered.v1"
RESET_REQUESTED = "identity.password_reset_requested.v1"


async def verification_token(client: Client, orion: Orion, email: str) -> str:
    assert (await register(client, email)).status_code == 202
    await deliver(orion)
    payloads = [p for p in await outbox_payloads(orion, REGISTERED) if p["email"] == email]
    assert len(payloads) == 1
    return str(payloads[0]["verification_token"])


async def reset_token(client: Client, orion: Orion, email: str) -> str:
    before = len(await outbox_payloads(orion, RESET_REQUESTED))
    answer = await post(client, "/api/v1/auth/password-reset", {"email": email})
    assert answer.status_code == 202
    await deliver(orion)
    payloads = await outbox_payloads(orion, RESET_REQUESTED)
    assert len(payloads) == before + 1
    assert payloads[-1]["email"] == email.strip().lower()
    return str(payloads[-1]["reset_token"])


async def expire(orion: Orion, token: str) -> None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    async with orion.engine.begin() as connection:
        changed = await connection.execute(
            one_time_tokens.update()
            .where(one_time_tokens.c.token_hash == digest)
            .values(expires_at=sa.func.now() - sa.text("interval '1 second'"))
        )
        assert changed.rowcount == 1


async def verified(client: Client, email: str) -> bool:
    pair = await sign_in(client, email)
    profile = await client.get("/api/v1/me", headers=bearer(pair["access_token"]))
    value: bool = (await profile.get_json())["email_verified"]
    return value


async def confirm(client: Client, token: str, new_password: str = NEW_PASSWORD) -> Any:
    return await post(
        client,
        "/api/v1/auth/password-reset/confirm",
        {"token": token, "new_password": new_password},
    )


async def verify(client: Client, token: str) -> Any:
    return await post(client, "/api/v1/auth/verify-email", {"token": token})


async def test_the_email_verification_token_works_once(client: Client, orion: Orion) -> None:
    token = await verification_token(client, orion, EMAIL)
    assert not await verified(client, EMAIL)
    assert (await verify(client, token)).status_code == 204
    assert await verified(client, EMAIL)
    await problem(await verify(client, token), 422, "invalid-token")


async def test_the_email_verification_token_expires(client: Client, orion: Orion) -> None:
    token = await verification_token(client, orion, EMAIL)
    await expire(orion, token)
    await problem(await verify(client, token), 422, "invalid-token")
    assert not await verified(client, EMAIL)


async def test_tokens_are_stored_hashed_and_only_for_their_purpose(
    client: Client, orion: Orion
) -> None:
    verification = await verification_token(client, orion, EMAIL)
    reset = await reset_token(client, orion, EMAIL)
    async with orion.engine.connect() as connection:
        stored = (await connection.execute(sa.select(one_time_tokens.c.token_hash))).scalars()
        hashes = set(stored)
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in (verification, reset)}
    assert verification not in hashes
    assert reset not in hashes
    # a verification token resets no password, a reset token verifies no email
    await problem(await confirm(client, verification), 422, "invalid-token")
    await problem(await verify(client, reset), 422, "invalid-token")
    await problem(await verify(client, "made-up-token"), 422, "invalid-token")
    # neither was spent by the wrong use
    assert (await verify(client, verification)).status_code == 204
    assert (await confirm(client, reset)).status_code == 204


async def test_a_password_reset_works_once_and_ends_every_session(
    client: Client, orion: Orion
) -> None:
    await make_user(orion, EMAIL)
    one = await sign_in(client, EMAIL)
    two = await sign_in(client, EMAIL)
    token = await reset_token(client, orion, EMAIL)
    # asking for a reset signs nobody out
    assert (await client.get("/api/v1/me", headers=bearer(one["access_token"]))).status_code == 200

    assert (await confirm(client, token)).status_code == 204
    for pair in (one, two):
        response = await client.get("/api/v1/me", headers=bearer(pair["access_token"]))
        assert response.status_code == 401
        await problem(await refresh(client, pair["refresh_token"]), 401, "session-ended")
    await problem(await log_in(client, EMAIL, PASSWORD), 401, "invalid-credentials")
    assert (await log_in(client, EMAIL, NEW_PASSWORD)).status_code == 200

    await problem(await confirm(client, token, "yet another passphrase"), 422, "invalid-token")
    assert (await log_in(client, EMAIL, NEW_PASSWORD)).status_code == 200


async def test_a_reset_token_expires(client: Client, orion: Orion) -> None:
    await make_user(orion, EMAIL)
    token = await reset_token(client, orion, EMAIL)
    await expire(orion, token)
    await problem(await confirm(client, token), 422, "invalid-token")
    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 200


async def test_a_weak_new_password_does_not_spend_the_reset_token(
    client: Client, orion: Orion
) -> None:
    await make_user(orion, EMAIL)
    token = await reset_token(client, orion, EMAIL)
    await problem(await confirm(client, token, "password123"), 422, "weak-password")
    assert (await confirm(client, token)).status_code == 204
    assert (await log_in(client, EMAIL, NEW_PASSWORD)).status_code == 200


async def test_a_reset_request_for_an_unknown_email_is_202_and_sends_nothing(
    client: Client, orion: Orion
) -> None:
    await make_user(orion, EMAIL)
    for email in ("nobody@example.com", "ADA@example.org"):
        answer = await post(client, "/api/v1/auth/password-reset", {"email": email})
        assert answer.status_code == 202
        assert await answer.get_data() == b""
    await deliver(orion)
    assert len(await outbox_payloads(orion, "identity.password_reset_asked.v1")) == 2
    assert await outbox_payloads(orion, RESET_REQUESTED) == []
    async with orion.engine.connect() as connection:
        purposes = (await connection.execute(sa.select(one_time_tokens.c.purpose))).scalars()
        assert list(purposes) == ["email_verification"]  # the registration's, no reset token


async def test_the_reset_event_carries_what_the_email_needs(client: Client, orion: Orion) -> None:
    await make_user(orion, EMAIL, full_name="Ada Lovelace")
    await reset_token(client, orion, " Ada@Example.com")
    (payload,) = await outbox_payloads(orion, RESET_REQUESTED)
    assert payload["email"] == EMAIL
    assert payload["full_name"] == "Ada Lovelace"
    assert len(payload["reset_token"]) >= 40
    assert payload["expires_at"]


async def test_a_disabled_account_gets_no_reset_link(client: Client, orion: Orion) -> None:
    user_id = await make_user(orion, EMAIL)
    await orion.mediator.send(DisableUser(user_id=user_id))
    answer = await post(client, "/api/v1/auth/password-reset", {"email": EMAIL})
    assert answer.status_code == 202
    await deliver(orion)
    assert await outbox_payloads(orion, RESET_REQUESTED) == []
