"""The product page cache: read through Redis (or this process's LRU), dropped after each
commit that changed the product (in every process, through Redis), one load per key under a
stampede, and reads still served when Redis is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr
from redis.exceptions import RedisError

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.cache import (
    LruCacheBackend,
    ReadThroughCache,
    RedisCacheBackend,
)
from tests.conftest import REDIS_URL, Client, shop_settings, unavailable
from tests.integration.catalog.test_product_api import create


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        unavailable(f"Redis at {REDIS_URL}", error)
    try:
        yield client
    finally:
        await client.aclose()


async def price_of(client: Client, product_id: str) -> int:
    response = await client.get(f"/api/v1/products/{product_id}")
    assert response.status_code == 200
    amount: int = (await response.get_json())["price"]["amount"]
    return amount


async def patch_price(client: Client, admin: dict[str, str], product_id: str, amount: int) -> None:
    response = await client.patch(
        f"/api/v1/admin/products/{product_id}",
        json={"price": {"amount": amount, "currency": "EUR"}},
        headers={**admin, "If-Match": '"1"'},
    )
    assert response.status_code == 200


async def test_a_product_update_is_visible_on_the_next_read(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    created = await create(client, admin, price={"amount": 1000, "currency": "EUR"})
    cache: ReadThroughCache = orion.container.product_cache()

    before = [await price_of(client, created["id"]) for _ in range(2)]
    await patch_price(client, admin, created["id"], 1500)
    after = await price_of(client, created["id"])

    assert before == [1000, 1000]
    assert (cache.misses, cache.hits) == (2, 1)  # the second read came from the cache
    assert after == 1500


async def test_an_update_in_one_process_is_seen_by_another_through_redis(
    orion: Orion, database_url: str, admin: dict[str, str], redis: aioredis.Redis
) -> None:
    settings = {"redis_url": SecretStr(REDIS_URL)}
    reader, writer = (
        Orion(shop_settings(**settings), database_url),
        Orion(shop_settings(**settings), database_url),
    )
    try:
        async with (
            reader.create_app().test_app() as reader_app,
            writer.create_app().test_app() as writer_app,
        ):
            shop, back_office = reader_app.test_client(), writer_app.test_client()
            created = await create(back_office, admin, sku=f"SKU-{uuid.uuid4().hex[:8]}")
            first = [await price_of(shop, created["id"]) for _ in range(2)]
            await patch_price(back_office, admin, created["id"], 999)
            second = await price_of(shop, created["id"])
        cache: ReadThroughCache = reader.container.product_cache()
    finally:
        await reader.aclose()
        await writer.aclose()

    assert first == [1250, 1250]
    assert cache.hits >= 1
    assert second == 999


@pytest.mark.parametrize("backend", ["redis", "lru"])
async def test_a_hundred_concurrent_misses_cause_one_load(
    backend: str, redis: aioredis.Redis
) -> None:
    store = RedisCacheBackend(aioredis.from_url(REDIS_URL)) if backend == "redis" else None
    cache = ReadThroughCache(
        store or LruCacheBackend(), namespace=f"test:{uuid.uuid4().hex}", ttl_s=30
    )
    loads = 0
    gate = asyncio.Event()

    async def load() -> str:
        nonlocal loads
        loads += 1
        await gate.wait()  # every reader arrives while the first load is in flight
        return "the product"

    readers = [
        asyncio.create_task(cache.get_or_load("p1", load, str.encode, bytes.decode))
        for _ in range(100)
    ]
    await asyncio.sleep(0.05)
    gate.set()
    values = await asyncio.gather(*readers)
    again = await cache.get_or_load("p1", load, str.encode, bytes.decode)
    if store is not None:
        await store.aclose()

    assert loads == 1
    assert set(values) == {"the product"}
    assert again == "the product"
    assert cache.hits == 1


async def test_a_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache = ReadThroughCache(LruCacheBackend(), namespace="test", ttl_s=30)
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise LookupError("no such product")

    results = await asyncio.gather(
        *(cache.get_or_load("p", load, str.encode, bytes.decode) for _ in range(5)),
        return_exceptions=True,
    )
    with pytest.raises(LookupError):
        await cache.get_or_load("p", load, str.encode, bytes.decode)

    assert all(isinstance(result, LookupError) for result in results)
    assert calls == 2


async def test_product_reads_answer_200_when_redis_is_down(
    orion: Orion, database_url: str, admin: dict[str, str]
) -> None:
    down = Orion(shop_settings(redis_url=SecretStr("redis://127.0.0.1:1/0")), database_url)
    try:
        async with orion.create_app().test_app() as back_office_app:
            created = await create(back_office_app.test_client(), admin)
        async with down.create_app().test_app() as shop_app:
            shop = shop_app.test_client()
            prices = [await price_of(shop, created["id"]) for _ in range(2)]
        cache: ReadThroughCache = down.container.product_cache()
    finally:
        await down.aclose()

    assert prices == [1250, 1250]
    assert cache.errors >= 2  # logged and counted, never in the way
    assert cache.hits == 0


async def test_the_lru_drops_the_least_recently_used_and_the_expired() -> None:
    now = [0.0]
    lru = LruCacheBackend(max_entries=2, clock=lambda: now[0])
    await lru.set("a", b"1", ttl_s=10)
    await lru.set("b", b"2", ttl_s=10)
    await lru.get("a")  # a is now more recent than b
    await lru.set("c", b"3", ttl_s=10)

    assert await lru.get("b") is None
    assert await lru.get("a") == b"1"
    now[0] = 11
    assert await lru.get("c") is None
