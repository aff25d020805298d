"""Short-lived PostgreSQL users from a real OpenBao's database secrets engine on this
machine's PostgreSQL: Orion migrates and serves as them, renews their lease, and when the
lease is revoked under steady load no request fails, the pool moves to a new user and the old
one is gone from PostgreSQL. A database and an owner role of the test's own."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import hvac.exceptions
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from orion.bootstrap import Orion
from tests.conftest import SERVER_URL, _asyncpg_dsn, shop_settings, unavailable
from tests.integration.vault.conftest import OpenBao

LEASE_S = 4  # renewed at half: every 2 s
WAIT_S = 30  # for what the keeper does in the background (a loaded machine is slow)


@dataclass
class Database:
    name: str
    owner: str  # the role that owns the schemas; the short-lived users act as it
    admin: asyncpg.Connection

    async def roles(self, prefix: str) -> set[str]:
        rows = await self.admin.fetch(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE $1", prefix + "%"
        )
        return {row["rolname"] for row in rows}

    async def session_users(self) -> list[str | None]:
        """The login role of each of Orion's connections (None: a role dropped under it)."""
        rows = await self.admin.fetch(
            "SELECT r.rolname FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid"
            " WHERE a.datname = $1 AND a.application_name = 'orion'",
            self.name,
        )
        return [row["rolname"] for row in rows]


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    tag = uuid.uuid4().hex[:10]
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(SERVER_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL server", error)
    name, owner = f"orion_vault_{tag}", f"orion_vault_{tag}_owner"
    await admin.execute(f'CREATE ROLE "{owner}" NOLOGIN')
    await admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    try:
        yield Database(name=name, owner=owner, admin=admin)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in await Database(name, owner, admin).roles(f"v-token-{tag[:4]}"):
            await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        await admin.close()


def database_engine(bao: OpenBao, database: Database, *, max_ttl: str = "1h") -> str:
    """The database secrets engine, mounted for this test, with a role ``orion`` whose users
    act as the database's owner role: what they create is the owner's, and a user dropped
    while connected keeps its sessions working until Orion replaces them."""
    client, mount = bao.client(), f"database-{secrets.token_hex(4)}"
    client.sys.enable_secrets_engine("database", path=mount)
    server = make_url(SERVER_URL)
    client.secrets.database.configure(
        name="orion",
        plugin_name="postgresql-database-plugin",
        connection_url=(
            f"postgresql://{{{{username}}}}:{{{{password}}}}@{server.host}:{server.port or 5432}"
            f"/{database.name}?sslmode=disable"
        ),
        username=server.username or "postgres",
        password=server.password or "trust",
        allowed_roles=["orion"],
        mount_point=mount,
    )
    client.secrets.database.create_role(
        name="orion",
        db_name="orion",
        creation_statements=[
            f"""CREATE ROLE "{{{{name}}}}" WITH LOGIN PASSWORD '{{{{password}}}}'
                VALID UNTIL '{{{{expiration}}}}' IN ROLE "{database.owner}";""",
            f'ALTER ROLE "{{{{name}}}}" SET role TO "{database.owner}";',
        ],
        revocation_statements=['DROP ROLE IF EXISTS "{{name}}";'],
        default_ttl=f"{LEASE_S}s",
        max_ttl=max_ttl,
        mount_point=mount,
    )
    return mount


async def eventually(check: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {WAIT_S} s: {what}")


async def test_revoked_credentials_are_replaced_under_load_without_a_failed_request(
    openbao: OpenBao, database: Database
) -> None:
    mount = database_engine(openbao, database)
    vault = openbao.client()
    server = make_url(SERVER_URL)
    url = f"postgresql+asyncpg://{server.host}:{server.port or 5432}/{database.name}"
    shop = Orion(
        shop_settings(
            vault_addr=openbao.address,
            vault_token=SecretStr(openbao.root_token),
            vault_database_role="orion",
            vault_database_mount=mount,
            db_pool_size=4,
            rate_limit_anonymous="100000/minute",
        ),
        url,
    )
    await shop.migrate()
    leases = f"{mount}/creds/orion/"

    async def lease_ids() -> list[str]:
        try:
            listed = await asyncio.to_thread(vault.sys.list_leases, leases)
        except hvac.exceptions.InvalidPath:  # none left
            return []
        return [leases + key for key in listed["data"]["keys"]]

    statuses: list[int] = []
    stop = asyncio.Event()

    async with shop.create_app().test_app() as app:
        client = app.test_client()

        async def shopper() -> None:  # reads and writes, each on a connection of the pool
            while not stop.is_set():
                for response in (
                    await client.get("/health/ready"),
                    await client.get("/api/v1/products", query_string={"q": uuid.uuid4().hex}),
                    await client.post("/api/v1/carts"),
                ):
                    statuses.append(response.status_code)

        shoppers = [asyncio.create_task(shopper()) for _ in range(4)]
        try:
            (first,) = await eventually(lease_ids, "the first lease")
            renewed = await eventually(
                lambda: _last_renewal(vault, first), "a renewal of the first lease"
            )
            (old_user,) = {user for user in await database.session_users() if user}
            served_before = len(statuses)
            await asyncio.to_thread(vault.sys.revoke_lease, first)
            assert old_user not in await database.roles(old_user)  # dropped by Vault, now

            async def moved() -> bool:
                users = await database.session_users()
                return bool(users) and all(user not in (None, old_user) for user in users)

            await eventually(moved, "every connection of the pool logged in as a new user")
            await eventually(
                lambda: _more(statuses, served_before + 200), "200 requests after the revocation"
            )
        finally:
            stop.set()
            await asyncio.gather(*shoppers)
        (new_user,) = set(await database.session_users())
    assert renewed
    assert statuses, "no request was made"
    assert set(statuses) <= {200, 201}, sorted(set(statuses))
    assert new_user != old_user
    assert await database.roles(old_user) == set()
    # the app's shutdown gave the new lease back: its user is gone too
    assert await database.roles(new_user) == set()
    assert await lease_ids() == []


async def _last_renewal(vault: Any, lease_id: str) -> str | None:
    lease = await asyncio.to_thread(vault.sys.read_lease, lease_id)
    renewal: str | None = lease["data"]["last_renewal"]
    return renewal


async def _more(statuses: list[int], count: int) -> bool:
    return len(statuses) >= count


async def test_credentials_near_their_max_ttl_are_replaced_before_they_end(
    openbao: OpenBao, database: Database
) -> None:
    """Renewals stop extending a lease near the role's max TTL: Orion takes a new user before
    the old lease's end (not after it, as a refused renewal would have it) and goes on
    serving."""
    max_ttl_s = LEASE_S + 3  # renewed at 2 s (to 6 s), capped at 4 s (to 7 s): replaced at 5.5 s
    mount = database_engine(openbao, database, max_ttl=f"{max_ttl_s}s")
    server = make_url(SERVER_URL)
    shop = Orion(
        shop_settings(
            vault_addr=openbao.address,
            vault_token=SecretStr(openbao.root_token),
            vault_database_role="orion",
            vault_database_mount=mount,
            db_pool_size=2,
        ),
        f"postgresql+asyncpg://{server.host}:{server.port or 5432}/{database.name}",
    )
    vault = openbao.client()
    prefix = f"{mount}/creds/orion/"
    users: list[str] = []
    statuses: list[int] = []
    async with shop.create_app().test_app() as app:
        client = app.test_client()
        statuses.append((await client.get("/health/ready")).status_code)
        (first,) = (await asyncio.to_thread(vault.sys.list_leases, prefix))["data"]["keys"]
        issued = await asyncio.to_thread(vault.sys.read_lease, prefix + first)
        ends = _instant(issued["data"]["issue_time"]) + max_ttl_s

        async def two_users() -> bool:
            statuses.append((await client.get("/health/ready")).status_code)
            users.extend(u for u in await database.session_users() if u and u not in users)
            return len(users) >= 2

        await eventually(two_users, "a second user")
        replaced = time.time()
    assert replaced < ends - 0.5, f"replaced {replaced - ends:.1f} s after the lease's end"
    assert set(statuses) == {200}, statuses


def _instant(text: str) -> float:
    """Vault's RFC 3339 time (nanoseconds) as a Unix time."""
    trimmed = re.sub(r"(\.\d{6})\d*", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed).timestamp()
