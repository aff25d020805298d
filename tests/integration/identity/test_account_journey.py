"""A customer's whole account journey over HTTP, on the real database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import outbox, users
from tests.conftest import Client
from tests.log_hygiene import secret

EMAIL = "ada@example.com"
PASSWORD = secret("identity password", "analytical engine 1843")


async def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return await client.post(path, json=body, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_log_in_profile_password_refresh_log_out(
    client: Client, orion: Orion
) -> None:
    registered = await post(
        client,
        "/api/v1/auth/register",
        {"email": "Ada@Example.com ", "password": PASSWORD, "full_name": "Ada Lovelace"},
    )
    assert registered.status_code == 202, await registered.get_data(as_text=True)
    assert await registered.get_data() == b""  # alike for a taken email: nothing to tell

    login = await post(client, "/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200
    pair = await login.get_json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900
    me = await client.get("/api/v1/me", headers=bearer(pair["access_token"]))
    assert (await me.get_json())["full_name"] == "Ada Lovelace"

    patched = await client.patch(
        "/api/v1/me",
        json={
            "full_name": "Augusta Ada King",
            "default_shipping_address": {
                "name": "Ada",
                "line1": "12 St James's Square",
                "city": "London",
                "postal_code": "SW1Y 4JH",
                "country": "GB",
            },
        },
        headers=bearer(pair["access_token"]),
    )
    assert patched.status_code == 200
    profile = await patched.get_json()
    assert profile["full_name"] == "Augusta Ada King"
    assert profile["default_shipping_address"]["city"] == "London"
    me_again = await client.get("/api/v1/me", headers=bearer(pair["access_token"]))
    assert (await me_again.get_json())["full_name"] == "Augusta Ada King"  # not the cached one

    refreshed = await post(client, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200
    newer = await refreshed.get_json()
    assert newer["refresh_token"] != pair["refresh_token"]

    changed = await post(
        client,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "difference engine 1822"},
        **bearer(newer["access_token"]),
    )
    assert changed.status_code == 204
    assert (
        await client.get("/api/v1/me", headers=bearer(newer["access_token"]))
    ).status_code == 200

    out = await post(client, "/api/v1/auth/logout", {"refresh_token": newer["refresh_token"]})
    assert out.status_code == 204
    assert (
        await client.get("/api/v1/me", headers=bearer(newer["access_token"]))
    ).status_code == 401
    again = await post(client, "/api/v1/auth/refresh", {"refresh_token": newer["refresh_token"]})
    assert again.status_code == 401

    async with orion.engine.connect() as connection:
        stored = await connection.scalar(sa.select(users.c.password_hash))
        events = (
            await connection.execute(
                sa.select(outbox.c.type, outbox.c.payload["changes"]).order_by(
                    outbox.c.aggregate_version
                )
            )
        ).all()
    assert stored.startswith("$argon2id$")
    assert [tuple(event) for event in events] == [
        ("identity.registration_asked.v1", None),  # its welcome follows, after the answer
        ("identity.user_changed.v1", ["profile"]),
        ("identity.user_changed.v1", ["password"]),
    ]
