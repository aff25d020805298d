"""The profile read through the cache: a second read is a hit, and the account's own change
or an admin's is visible on the next read."""

from __future__ import annotations

from typing import Any

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.cache import ReadThroughCache
from tests.conftest import Client
from tests.integration.identity.helpers import bearer, sign_in, signed_in

EMAIL = "grace@example.com"


async def profile(client: Client, access_token: str) -> dict[str, Any]:
    response = await client.get("/api/v1/me", headers=bearer(access_token))
    assert response.status_code == 200, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def test_the_profile_is_cached_and_dropped_by_each_change(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    cache: ReadThroughCache = orion.modules["identity"].container.cache()
    pair = await signed_in(client, EMAIL)
    reads = [await profile(client, pair["access_token"]) for _ in range(2)]
    cached = (cache.misses, cache.hits)

    patched = await client.patch(
        "/api/v1/me", json={"full_name": "Grace Hopper"}, headers=bearer(pair["access_token"])
    )
    assert patched.status_code == 200
    renamed = await profile(client, pair["access_token"])

    promoted = await client.put(
        f"/api/v1/admin/users/{reads[0]['id']}/role", json={"role": "admin"}, headers=admin
    )
    assert promoted.status_code == 200
    again = await sign_in(client, EMAIL)  # a role change ends the account's sessions
    as_admin = await profile(client, again["access_token"])

    assert [read["full_name"] for read in reads] == ["Ada Lovelace"] * 2
    assert cached == (1, 1)
    assert renamed["full_name"] == "Grace Hopper"
    assert as_admin["role"] == "admin"
