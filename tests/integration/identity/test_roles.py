"""Roles: every ``/api/v1/admin/*`` route answers 401 to nobody and 403 to a customer; the
user list filters and pages for an admin; a registration cannot make an admin; a role
change takes effect with the next sign-in."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import users
from tests.conftest import ADMIN_EMAIL, Client

from .helpers import PASSWORD, bearer, claims, make_user, problem, sign_in, signed_in

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def admin_routes(client: Client) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1/admin of the app, its parameters filled in."""
    app = client.app
    found: list[tuple[str, str]] = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/admin/"):
            continue
        path = re.sub(r"<[^>]+>", str(uuid.uuid4()), rule.rule)
        found += [(method, path) for method in sorted((rule.methods or set()) - IGNORED_METHODS)]
    return found


async def call(client: Client, method: str, path: str, headers: dict[str, str]) -> Any:
    body = None if method in {"GET", "DELETE"} else {}
    return await client.open(path, method=method, json=body, headers=headers)


async def test_every_admin_route_refuses_nobody_401_and_a_customer_403(client: Client) -> None:
    routes = admin_routes(client)
    # the identity and catalog admin routes are all there
    assert ("GET", "/api/v1/admin/users") in routes
    assert ("POST", "/api/v1/admin/products") in routes
    assert len(routes) >= 9, routes
    customer = await signed_in(client, "ada@example.com")
    for method, path in routes:
        anonymous = await call(client, method, path, {})
        await problem(anonymous, 401, "not-authenticated")
        assert anonymous.headers["WWW-Authenticate"] == "Bearer"
        refused = await call(client, method, path, bearer(customer["access_token"]))
        await problem(refused, 403, "forbidden")


async def test_an_admin_passes_the_admin_routes(client: Client, admin: dict[str, str]) -> None:
    assert (await client.get("/api/v1/admin/users", headers=admin)).status_code == 200
    created = await client.post(
        "/api/v1/admin/products",
        headers=admin,
        json={
            "sku": "ROLE-1",
            "name": "A role test",
            "category": "Books",
            "price": {"amount": 100, "currency": "EUR"},
        },
    )
    assert created.status_code == 201, await created.get_data(as_text=True)


async def test_role_admin_at_registration_is_refused_and_makes_no_admin(
    client: Client, orion: Orion
) -> None:
    for extra in ({"role": "admin"}, {"is_admin": True}, {"role": "customer"}):
        answer = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "mallory@example.com",
                "password": PASSWORD,
                "full_name": "Mallory",
                **extra,
            },
        )
        document = await problem(answer, 422, "validation-failed")
        assert {error["field"] for error in document["errors"]} == set(extra)
    async with orion.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(users)) == 0
    # registered without it, the same person is a customer, refused on admin routes
    pair = await signed_in(client, "mallory@example.com")
    assert claims(pair["access_token"])["role"] == "customer"
    listed = await client.get("/api/v1/admin/users", headers=bearer(pair["access_token"]))
    await problem(listed, 403, "forbidden")
    async with orion.engine.connect() as connection:
        roles = (await connection.execute(sa.select(users.c.role))).scalars().all()
    assert roles == ["customer"]


async def test_a_role_change_ends_the_sessions_and_applies_at_the_next_sign_in(
    client: Client, admin: dict[str, str]
) -> None:
    before = await signed_in(client, "grace@example.com")
    user_id = claims(before["access_token"])["sub"]
    promoted = await client.put(
        f"/api/v1/admin/users/{user_id}/role", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200
    assert (await promoted.get_json())["role"] == "admin"
    # the old token says "customer": its session ended with the change
    assert (
        await client.get("/api/v1/me", headers=bearer(before["access_token"]))
    ).status_code == 401
    after = await sign_in(client, "grace@example.com")
    as_admin = bearer(after["access_token"])
    assert (await client.get("/api/v1/admin/users", headers=as_admin)).status_code == 200

    demoted = await client.put(
        f"/api/v1/admin/users/{user_id}/role", json={"role": "customer"}, headers=admin
    )
    assert demoted.status_code == 200
    assert (await client.get("/api/v1/admin/users", headers=as_admin)).status_code == 401
    again = bearer((await sign_in(client, "grace@example.com"))["access_token"])
    await problem(await client.get("/api/v1/admin/users", headers=again), 403, "forbidden")

    unknown_role = await client.put(
        f"/api/v1/admin/users/{user_id}/role", json={"role": "root"}, headers=admin
    )
    await problem(unknown_role, 422, "validation-failed")


async def every_page(
    client: Client, admin: dict[str, str], **filters: str | int
) -> list[dict[str, Any]]:
    """All users a filter finds, walked two at a time; checks each page's size."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2, **filters}
        if cursor is not None:
            params["cursor"] = cursor
        answer = await client.get("/api/v1/admin/users", query_string=params, headers=admin)
        assert answer.status_code == 200, await answer.get_data(as_text=True)
        page = await answer.get_json()
        assert 1 <= len(page["items"]) <= 2 or (not items and not page["items"])
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_the_user_list_filters_and_pages(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    smiths = [f"smith{n}@example.com" for n in range(5)]
    others = ["jones@example.com", "brown@example.com", "taylor@example.com"]
    ids: dict[str, uuid.UUID] = {}
    for email in [*smiths, *others]:
        ids[email] = await make_user(orion, email, full_name=email.split("@")[0].title())
    ids["named@example.com"] = await make_user(orion, "named@example.com", full_name="Jo Smith")
    for email in ("smith1@example.com", "smith3@example.com", "brown@example.com"):
        answer = await client.post(f"/api/v1/admin/users/{ids[email]}/disable", headers=admin)
        assert answer.status_code == 200

    def emails(items: list[dict[str, Any]]) -> list[str]:
        return [item["email"] for item in items]

    everyone = await every_page(client, admin)
    assert len(everyone) == len(set(emails(everyone))) == 10
    created = [item["created_at"] for item in everyone]
    assert created == sorted(created, reverse=True)  # newest first
    assert set(emails(everyone)) == {*ids, ADMIN_EMAIL}

    # q: in the email or the full name, case-insensitively
    assert set(emails(await every_page(client, admin, q="SMITH"))) == {
        *smiths,
        "named@example.com",
    }
    assert emails(await every_page(client, admin, role="admin")) == [ADMIN_EMAIL]
    assert set(emails(await every_page(client, admin, disabled="true"))) == {
        "smith1@example.com",
        "smith3@example.com",
        "brown@example.com",
    }
    assert set(emails(await every_page(client, admin, q="smith", disabled="false"))) == {
        "smith0@example.com",
        "smith2@example.com",
        "smith4@example.com",
        "named@example.com",
    }
    customers = await every_page(client, admin, role="customer", disabled="false")
    assert len(customers) == 6
    assert all(item["role"] == "customer" and not item["disabled"] for item in customers)
    # a q that LIKE would read as a wildcard matches only itself
    assert await every_page(client, admin, q="%") == []
    assert await every_page(client, admin, q="_") == []


async def test_the_user_list_refuses_bad_parameters(client: Client, admin: dict[str, str]) -> None:
    for params in ({"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 101}, {"role": "root"}):
        answer = await client.get("/api/v1/admin/users", query_string=params, headers=admin)
        assert answer.status_code == 422, (params, await answer.get_data(as_text=True))


async def test_the_role_is_read_from_the_account_at_each_request_not_from_the_token(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    """A token's ``role`` claim is only what the role was when it was signed: the session
    check reads the account's role, so a change counts at the next request."""
    customer = await signed_in(client, "grace@example.com")
    as_customer = bearer(customer["access_token"])
    assert (await client.get("/api/v1/admin/users", headers=admin)).status_code == 200
    assert (await client.get("/api/v1/admin/users", headers=as_customer)).status_code == 403

    async with orion.engine.begin() as connection:  # behind the API's back: sessions stay on
        await connection.execute(
            sa.update(users).where(users.c.email == ADMIN_EMAIL).values(role="customer")
        )
        await connection.execute(
            sa.update(users).where(users.c.email == "grace@example.com").values(role="admin")
        )

    await problem(await client.get("/api/v1/admin/users", headers=admin), 403, "forbidden")
    assert (await client.get("/api/v1/admin/users", headers=as_customer)).status_code == 200
