"""What the identity tests do over and over: sign up, sign in, call with a token, read the
outbox, and stand up an Orion with settings of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import outbox, users
from orion.modules.identity.application.commands import Register
from tests.conftest import Client, shop_settings
from tests.integration.ordering.helpers import settle
from tests.log_hygiene import secret

PASSWORD = secret("identity password", "analytical engine 1843")
PROBLEM_JSON = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return await client.post(path, json=body, headers=headers)


async def register(
    client: Client, email: str, password: str = PASSWORD, full_name: str = "Ada Lovelace"
) -> Any:
    return await post(
        client,
        "/api/v1/auth/register",
        {"email": email, "password": password, "full_name": full_name},
    )


async def log_in(
    client: Client, email: str, password: str = PASSWORD, *, address: str | None = None
) -> Any:
    scope = None if address is None else {"client": (address, 40000)}
    return await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, scope_base=scope
    )


async def signed_in(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Registers the account over HTTP, then signs in: the token pair."""
    registered = await register(client, email, password)
    assert registered.status_code == 202, await registered.get_data(as_text=True)
    return await sign_in(client, email, password)


async def sign_in(client: Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Another session of an existing account: its token pair."""
    login = await log_in(client, email, password)
    assert login.status_code == 200, await login.get_data(as_text=True)
    pair: dict[str, Any] = await login.get_json()
    return pair


async def make_user(
    orion: Orion, email: str, *, password: str = PASSWORD, full_name: str = "Ada Lovelace"
) -> uuid.UUID:
    """An account made through the mediator: no registration limit to run into."""
    user = await orion.mediator.send(Register(email=email, password=password, full_name=full_name))
    assert user is not None, f"{email} has an account already"
    return user.id


async def deliver(orion: Orion) -> None:
    """Runs identity's own consumers on what its outbox holds (a reset asked for becomes its
    token and its email's event), as the relay and a worker do after the answer."""
    await orion.start_consumers(["identity"])
    try:
        await settle(orion)
    finally:
        await orion.stop_consumers()


async def me(client: Client, access_token: str) -> int:
    """The status of ``GET /api/v1/me`` with this token."""
    response = await client.get("/api/v1/me", headers=bearer(access_token))
    return int(response.status_code)


async def refresh(client: Client, refresh_token: str) -> Any:
    return await post(client, "/api/v1/auth/refresh", {"refresh_token": refresh_token})


def claims(access_token: str) -> dict[str, Any]:
    """The claims of a token, unverified: what a test needs to forge a neighbour of it."""
    decoded: dict[str, Any] = jwt.decode(access_token, options={"verify_signature": False})
    return decoded


async def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Asserts a problem+json answer of this status and type; its body."""
    body = await response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.content_type == PROBLEM_JSON, body
    document: dict[str, Any] = await response.get_json()
    assert document["type"] == f"/problems/{code}", document
    assert document["status"] == status
    return document


async def outbox_payloads(orion: Orion, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the identity outbox rows of this type, oldest first."""
    async with orion.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(outbox.c.payload)
            .where(outbox.c.type == event_type)
            .order_by(outbox.c.created_at, outbox.c.occurred_at)
        )
        return [dict(payload) for payload in rows.scalars()]


async def stored_hash(orion: Orion, email: str) -> str:
    async with orion.engine.connect() as connection:
        value: str = await connection.scalar(
            sa.select(users.c.password_hash).where(users.c.email == email)
        )
    return value


@asynccontextmanager
async def client_with(database_url: str, **settings: Any) -> AsyncIterator[Client]:
    """A test client of an Orion of its own, with these settings (say, tighter limits), on the
    test database. Ask for the ``orion`` fixture too: it empties the tables first."""
    shop = Orion(shop_settings(**settings), database_url)
    try:
        app = shop.create_app()
        async with app.test_app() as test_app:
            yield test_app.test_client()
    finally:
        await shop.aclose()
