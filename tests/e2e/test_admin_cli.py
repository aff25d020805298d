"""``orion admin create`` run as a real process on a throwaway database: the admin it makes
signs in and passes the admin routes; an existing customer is promoted; a weak password is
refused with one line and makes nobody an admin."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from orion.bootstrap import Orion
from tests.conftest import SERVER_URL, Client, shop_settings, unavailable
from tests.e2e.test_serve import orion, orion_env

PASSWORD = "an operator's long passphrase"


async def admin_sql(statement: str) -> None:
    dsn = make_url(SERVER_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[str]:
    """A database of this module's own, migrated by ``orion migrate``; dropped afterwards.
    Each test uses its own email addresses."""
    name = f"orion_e2e_{uuid.uuid4().hex[:10]}"
    try:
        await admin_sql(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL server", error)
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrated = await asyncio.to_thread(orion, "migrate", env=orion_env(ORION_DATABASE_URL=url))
        assert migrated.returncode == 0, migrated.stderr
        yield url
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def shop(database: str) -> AsyncIterator[Client]:
    """An in-process Orion on the same database, as the API would serve it."""
    instance = Orion(shop_settings(), database)
    try:
        async with instance.create_app().test_app() as app:
            yield app.test_client()
    finally:
        await instance.aclose()


async def admin_create(database: str, email: str, password: str) -> tuple[int, str, str]:
    env = orion_env(ORION_DATABASE_URL=database)
    # piped standard input: the password is its first line
    done = await asyncio.to_thread(
        orion, "admin", "create", "--email", email, env=env, stdin=password + "\n"
    )
    return done.returncode, done.stdout, done.stderr


async def sign_in(shop: Client, email: str, password: str) -> dict[str, str]:
    login = await shop.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, await login.get_data(as_text=True)
    return {"Authorization": f"Bearer {(await login.get_json())['access_token']}"}


async def test_the_admin_it_makes_passes_the_admin_routes(database: str, shop: Client) -> None:
    code, out, err = await admin_create(database, "Ops@Example.com", PASSWORD)
    assert code == 0, err
    assert out.startswith("admin ops@example.com (")

    headers = await sign_in(shop, "ops@example.com", PASSWORD)
    listed = await shop.get(
        "/api/v1/admin/users", query_string={"q": "ops@example.com"}, headers=headers
    )
    assert listed.status_code == 200
    (user,) = (await listed.get_json())["items"]
    assert user["email"] == "ops@example.com"
    assert user["role"] == "admin"
    assert user["email_verified"] is True
    assert user["full_name"] == "Administrator"
    product = await shop.post(
        "/api/v1/admin/products",
        headers=headers,
        json={
            "sku": "CLI-1",
            "name": "Made by the CLI's admin",
            "category": "Books",
            "price": {"amount": 100, "currency": "EUR"},
        },
    )
    assert product.status_code == 201, await product.get_data(as_text=True)


async def test_it_promotes_an_existing_customer(database: str, shop: Client) -> None:
    registered = await shop.post(
        "/api/v1/auth/register",
        json={
            "email": "grace@example.com",
            "password": "a customer's passphrase",
            "full_name": "G",
        },
    )
    assert registered.status_code == 202
    as_customer = await sign_in(shop, "grace@example.com", "a customer's passphrase")
    assert (await shop.get("/api/v1/admin/users", headers=as_customer)).status_code == 403

    code, out, err = await admin_create(database, "grace@example.com", PASSWORD)
    assert code == 0, err
    assert out.startswith("admin grace@example.com (")
    # its password was replaced and its sessions ended
    assert (await shop.get("/api/v1/me", headers=as_customer)).status_code == 401
    old = await shop.post(
        "/api/v1/auth/login",
        json={"email": "grace@example.com", "password": "a customer's passphrase"},
    )
    assert old.status_code == 401
    as_admin = await sign_in(shop, "grace@example.com", PASSWORD)
    assert (await shop.get("/api/v1/admin/users", headers=as_admin)).status_code == 200


async def test_a_weak_password_is_refused_and_makes_no_admin(database: str, shop: Client) -> None:
    code, out, err = await admin_create(database, "weak@example.com", "password123")
    assert code != 0
    assert out == ""
    assert err.strip().splitlines()[-1] == (
        "orion: The password is too weak: "
        "this password is among the most common ones; choose another"
    )
    assert "password123" not in err
    refused = await shop.post(
        "/api/v1/auth/login", json={"email": "weak@example.com", "password": "password123"}
    )
    assert refused.status_code == 401


def test_no_password_is_told_as_such_before_the_database_starts(tmp_path: Path) -> None:
    env = orion_env(ORION_DATA_DIR=str(tmp_path / "data"))
    result = orion("admin", "create", "--email", "ops@example.com", env=env, stdin="")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "orion: no password given: pipe it as the first line of standard input, "
        "or run the command in a terminal to be prompted for it"
    ]
    assert not (tmp_path / "data" / "pg").exists()
