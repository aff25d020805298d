"""Passwords: stored as argon2id with OWASP's parameters, rehashed at login when the
parameters change; the policy (NIST SP 800-63B) refuses short, overlong and common ones,
at registration, at a password change and at a reset alike."""

from __future__ import annotations

import argon2
import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import users
from tests.conftest import Client

from .helpers import PASSWORD, bearer, log_in, post, problem, register, signed_in, stored_hash

EMAIL = "ada@example.com"
OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


async def count_users(orion: Orion) -> int:
    async with orion.engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(users)))


async def test_the_stored_hash_is_argon2id_with_owasp_parameters(
    client: Client, orion: Orion
) -> None:
    assert (await register(client, EMAIL)).status_code == 202
    stored = await stored_hash(orion, EMAIL)
    assert stored.startswith("$argon2id$")
    assert stored.startswith(OWASP)
    assert PASSWORD not in stored
    # salted: the same password gives another hash
    assert (await register(client, "twin@example.com")).status_code == 202
    assert await stored_hash(orion, "twin@example.com") != stored


@pytest.mark.parametrize(
    "password",
    ["password123", "PASSWORD123", "Password123", "qwertyuiop", "iloveyou1", "sunshine"],
)
async def test_a_common_password_is_refused_at_registration(
    client: Client, orion: Orion, password: str
) -> None:
    document = await problem(await register(client, EMAIL, password), 422, "weak-password")
    assert "common" in document["detail"]
    assert await count_users(orion) == 0


async def test_the_email_as_password_is_refused(client: Client, orion: Orion) -> None:
    for password in ("ada.lovelace@example.com", "ADA.LOVELACE"):
        answer = await register(client, "ada.lovelace@example.com", password)
        await problem(answer, 422, "weak-password")
    assert await count_users(orion) == 0


@pytest.mark.parametrize(
    ("length", "accepted"), [(7, False), (8, True), (64, True), (128, True), (129, False)]
)
async def test_length_from_8_to_128_characters(
    client: Client, orion: Orion, length: int, accepted: bool
) -> None:
    password = ("mz4-kq9 vw" * 13)[:length]  # no composition rule is asked for, none used
    answer = await register(client, EMAIL, password)
    if accepted:
        assert answer.status_code == 202, await answer.get_data(as_text=True)
        assert (await log_in(client, EMAIL, password)).status_code == 200
    else:
        await problem(answer, 422, "weak-password")
        assert await count_users(orion) == 0


async def test_a_password_change_obeys_the_policy(client: Client, orion: Orion) -> None:
    pair = await signed_in(client, EMAIL)
    for weak in ("password123", "short", "x" * 129):
        answer = await post(
            client,
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": weak},
            **bearer(pair["access_token"]),
        )
        await problem(answer, 422, "weak-password")
    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 200


async def test_a_hash_with_other_parameters_is_rehashed_at_login(
    client: Client, orion: Orion
) -> None:
    assert (await register(client, EMAIL)).status_code == 202
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    old = weaker.hash(PASSWORD)
    assert old.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    async with orion.engine.begin() as connection:
        await connection.execute(
            users.update().where(users.c.email == EMAIL).values(password_hash=old)
        )
    # a wrong password does not rehash: there is nothing to hash
    assert (await log_in(client, EMAIL, "not the password")).status_code == 401
    assert await stored_hash(orion, EMAIL) == old

    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 200
    rehashed = await stored_hash(orion, EMAIL)
    assert rehashed.startswith(OWASP)
    argon2.PasswordHasher().verify(rehashed, PASSWORD)
    # and the next login finds nothing to change
    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 200
    assert await stored_hash(orion, EMAIL) == rehashed
