"""Roles: every ``/api/v1/admin/*`` route answers 401 to nobody and 403 to a customer; the
user list filters and pages for an admin; a registration cannot make an admin; a role
change takes effect with the next sign-in."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import users
from orion.modules.identity.application.commands import ChangeRole, DisableUser, EnableUser
from orion.modules.identity.domain.errors import LastAdmin
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


async def test_the_only_active_admin_can_be_neither_demoted_nor_disabled(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    """A shop must keep an admin: the last active one may not demote or disable itself, nor
    be demoted or disabled by anyone; with a second active admin, it may."""
    own_id = (await (await client.get("/api/v1/me", headers=admin)).get_json())["id"]
    demote = f"/api/v1/admin/users/{own_id}/role"
    disable = f"/api/v1/admin/users/{own_id}/disable"
    for answer in (
        await client.put(demote, json={"role": "customer"}, headers=admin),
        await client.post(disable, headers=admin),
    ):
        document = await problem(answer, 409, "last-admin")
        assert document["title"] == "The only active admin cannot be demoted or disabled"
    assert (await client.get("/api/v1/admin/users", headers=admin)).status_code == 200

    # a disabled admin is no admin to keep the shop: still refused
    second = await make_user(orion, "grace@example.com")
    await orion.mediator.send(ChangeRole(user_id=second, role="admin"))
    await orion.mediator.send(DisableUser(user_id=second))
    await problem(await client.post(disable, headers=admin), 409, "last-admin")

    await orion.mediator.send(EnableUser(user_id=second))
    demoted = await client.put(demote, json={"role": "customer"}, headers=admin)
    assert demoted.status_code == 200, await demoted.get_data(as_text=True)
    as_grace = bearer((await sign_in(client, "grace@example.com"))["access_token"])
    grace_out = await client.put(
        f"/api/v1/admin/users/{second}/role", json={"role": "customer"}, headers=as_grace
    )
    await problem(grace_out, 409, "last-admin")


async def test_two_admins_demoting_each_other_at_once_leave_one(orion: Orion) -> None:
    """Each would see two admins if neither waited for the other: the first demotes Ada and
    holds its transaction open while the second disables Grace. The second must wait for the
    first's lock on the admins and then see Ada gone; without that lock it goes through and
    the shop is left with none."""
    first = await make_user(orion, "ada@example.com")
    second = await make_user(orion, "grace@example.com")
    for user_id in (first, second):
        await orion.mediator.send(ChangeRole(user_id=user_id, role="admin"))
    container = orion.modules["identity"].container
    async with container.uow() as uow:
        await container.change_role()(ChangeRole(user_id=first, role="customer"), uow)
        racing = asyncio.create_task(orion.mediator.send(DisableUser(user_id=second)))
        async with asyncio.timeout(10):
            # polls PostgreSQL, whose lock waits announce themselves to no event of ours
            while not racing.done() and not await lock_waits(orion):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        await uow.commit()
    with pytest.raises(LastAdmin):
        await racing
    async with orion.engine.connect() as connection:
        admins = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(users)
            .where(users.c.role == "admin", users.c.disabled_at.is_(None))
        )
    assert admins == 1


async def lock_waits(orion: Orion) -> int:
    """Transactions of this test database waiting for a lock."""
    async with orion.engine.connect() as connection:
        waiting: int = await connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)"
                " WHERE NOT granted AND datname = current_database()"
            )
        )
    return waiting
