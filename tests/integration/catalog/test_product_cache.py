"""The catalog's cache: product pages and list pages read through Redis (or this process's
LRU), dropped after each commit that changed a product and again when the catalog's event
comes back through its inbox, one load per key under a stampede, and reads still served when
Redis is down."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa
from pydantic import SecretStr
from redis.exceptions import RedisError

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import inbox
from orion.modules.catalog.contracts.events import ProductPriceChangedV1
from orion.shared_kernel.adapters.cache import (
    CacheInvalidation,
    LruCacheBackend,
    ReadThroughCache,
    RedisCacheBackend,
)
from tests.conftest import REDIS_URL, Client, shop_settings
from tests.integration.catalog.test_product_api import create
from tests.integration.messaging.conftest import broker_url, delete_topology, orion_queues

__all__ = ["broker_url"]  # the fixture
DELAYS_MS = [100, 300]


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
    cache: ReadThroughCache = orion.modules["catalog"].container.cache()

    before = [await price_of(client, created["id"]) for _ in range(2)]
    await patch_price(client, admin, created["id"], 1500)
    after = await price_of(client, created["id"])

    assert before == [1000, 1000]
    assert (cache.misses, cache.hits) == (2, 1)  # the second read came from the cache
    assert after == 1500


async def list_prices(client: Client, **params: str) -> dict[str, int]:
    response = await client.get("/api/v1/products", query_string=params)
    assert response.status_code == 200
    return {item["sku"]: item["price"]["amount"] for item in (await response.get_json())["items"]}


async def test_list_pages_are_cached_and_dropped_by_any_product_change(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    first = await create(client, admin, sku="SKU-A", price={"amount": 1000, "currency": "EUR"})
    cache: ReadThroughCache = orion.modules["catalog"].container.cache()

    pages = [await list_prices(client, sort="name") for _ in range(2)]
    cached = (cache.misses, cache.hits)
    await create(client, admin, sku="SKU-B", price={"amount": 2000, "currency": "EUR"})
    after_create = await list_prices(client, sort="name")
    await patch_price(client, admin, first["id"], 1500)
    after_update = await list_prices(client, sort="name")
    searched = [await list_prices(client, q="mug") for _ in range(2)]

    assert pages == [{"SKU-A": 1000}, {"SKU-A": 1000}]
    assert cached == (1, 1)
    assert after_create == {"SKU-A": 1000, "SKU-B": 2000}
    assert after_update == {"SKU-A": 1500, "SKU-B": 2000}
    assert searched[0] == searched[1]
    assert (cache.misses, cache.hits) == (3, 1)  # searches are not cached


@pytest.fixture
async def rabbit_topology(broker_url: str) -> AsyncIterator[str]:
    for queue in orion_queues():
        await delete_topology(broker_url, queue, DELAYS_MS)
    yield broker_url
    for queue in orion_queues():
        await delete_topology(broker_url, queue, DELAYS_MS)


async def reread_after_update(
    reader: Orion, writer: Orion, admin: dict[str, str], *, within_s: float = 0
) -> tuple[list[int], int]:
    """The writer creates a product, the reader reads its price twice, the writer changes it:
    the reader's prices before, and its price after (polled for ``within_s``, if given)."""
    async with (
        reader.create_app().test_app() as reader_app,
        writer.create_app().test_app() as writer_app,
    ):
        shop, back_office = reader_app.test_client(), writer_app.test_client()
        created = await create(back_office, admin, sku=f"SKU-{uuid.uuid4().hex[:8]}")
        if within_s:
            await asyncio.sleep(0.5)  # the creation's own event has dropped what it drops
        before = [await price_of(shop, created["id"]) for _ in range(2)]
        await patch_price(back_office, admin, created["id"], 999)
        deadline = time.monotonic() + within_s
        while (after := await price_of(shop, created["id"])) != 999:
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
    return before, after


async def test_the_catalogs_event_drops_the_page_through_its_inbox(
    orion: Orion,
    database_url: str,
    admin: dict[str, str],
    redis: aioredis.Redis,
    rabbit_topology: str,
) -> None:
    """The writer runs without Redis, so its own drop after the commit cannot reach the
    reader's cache: only the event, relayed through RabbitMQ to the reader's consumer, can."""
    on_rabbit = {"broker_url": SecretStr(rabbit_topology), "retry_delays_ms": DELAYS_MS}
    reader = Orion(shop_settings(redis_url=SecretStr(REDIS_URL), **on_rabbit), database_url)
    writer = Orion(shop_settings(**on_rabbit), database_url)
    await reader.start_consumers()
    stop = asyncio.Event()
    relay = asyncio.create_task(writer.relay().run(stop))
    try:
        before, after = await reread_after_update(reader, writer, admin, within_s=15)
        cache: ReadThroughCache = reader.modules["catalog"].container.cache()
        # the update's two events come one after the other: the first one drops the page
        deadline = time.monotonic() + 15
        while "catalog.product_price_changed.v1" not in (handled := await handled_by(reader)):
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await relay
        await reader.stop_consumers()
        await reader.aclose()
        await writer.aclose()

    assert before == [1250, 1250]
    assert cache.hits >= 1
    assert after == 999
    assert "catalog.product_price_changed.v1" in handled


async def handled_by(shop: Orion) -> set[str]:
    """The types of the messages the catalog's consumer has handled (its inbox)."""
    async with shop.engine.connect() as connection:
        query = sa.select(inbox.c.type).where(inbox.c.consumer == "catalog")
        return set((await connection.execute(query)).scalars())


def price_changed(occurred_at: datetime) -> ProductPriceChangedV1:
    return ProductPriceChangedV1(
        aggregate_id=uuid.uuid4(),
        aggregate_version=2,
        occurred_at=occurred_at,
        sku="SKU-1",
        old_amount=1250,
        old_currency="EUR",
        new_amount=999,
        new_currency="EUR",
    )


async def test_the_inbox_drop_raises_when_redis_refuses_while_the_entry_may_live() -> None:
    """Raised, the message is retried; once the event is older than the TTL whatever it made
    stale has expired, so the drop is given up instead of dead-lettered."""
    unreachable = RedisCacheBackend(aioredis.from_url("redis://127.0.0.1:1/0"))
    cache = ReadThroughCache(unreachable, namespace="test", ttl_s=30)
    invalidation = CacheInvalidation(cache, lambda event: [str(event.aggregate_id)])
    now = datetime.now(UTC)
    try:
        await invalidation.after_commit([price_changed(now)])  # the writer's: logged, passed
        with pytest.raises((RedisError, OSError)):
            await invalidation(price_changed(now), None)  # the consumer's: raised, retried
        with pytest.raises((RedisError, OSError)):
            await invalidation(price_changed(now - timedelta(seconds=29)), None)
        await invalidation(price_changed(now - timedelta(seconds=31)), None)  # given up
    finally:
        await unreachable.aclose()

    assert cache.errors == 4


async def test_an_update_in_one_process_is_seen_by_another_through_redis(
    orion: Orion, database_url: str, admin: dict[str, str], redis: aioredis.Redis
) -> None:
    settings = {"redis_url": SecretStr(REDIS_URL)}
    reader = Orion(shop_settings(**settings), database_url)
    writer = Orion(shop_settings(**settings), database_url)
    try:
        before, after = await reread_after_update(reader, writer, admin)  # no waiting
        cache: ReadThroughCache = reader.modules["catalog"].container.cache()
    finally:
        await reader.aclose()
        await writer.aclose()

    assert before == [1250, 1250]
    assert cache.hits >= 1
    assert after == 999


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
        cache: ReadThroughCache = down.modules["catalog"].container.cache()
    finally:
        await down.aclose()

    assert prices == [1250, 1250]
    assert cache.errors >= 2  # logged and counted, never in the way
    assert cache.hits == 0


async def test_the_lru_drops_the_least_recently_used_and_the_expired() -> None:
    now = [0.0]
    lru = LruCacheBackend(max_entries=2, clock=lambda: now[0])
    await lru.set("a", "", b"1", ttl_s=10)
    await lru.set("b", "", b"2", ttl_s=10)
    await lru.get("a", "")  # a is now more recent than b
    await lru.set("c", "", b"3", ttl_s=10)

    assert await lru.get("b", "") is None
    assert await lru.get("a", "") == b"1"
    now[0] = 11
    assert await lru.get("c", "") is None


@pytest.mark.parametrize("backend", ["redis", "lru"])
async def test_a_key_lives_ttl_after_its_first_field_and_drops_with_all_its_fields(
    backend: str, redis: aioredis.Redis
) -> None:
    key = f"test:{uuid.uuid4().hex}"
    store: RedisCacheBackend | LruCacheBackend = (
        RedisCacheBackend(aioredis.from_url(REDIS_URL)) if backend == "redis" else LruCacheBackend()
    )
    try:
        await store.set(key, "page=1", b"first", ttl_s=30)
        await store.set(key, "page=2", b"second", ttl_s=30)
        both = [await store.get(key, "page=1"), await store.get(key, "page=2")]
        await store.delete(key)
        after = [await store.get(key, "page=1"), await store.get(key, "page=2")]
        await store.set(key, "page=1", b"first", ttl_s=30)
        await store.set(key, "page=2", b"second", ttl_s=300)  # extends nothing
        ttl_ms = await redis.pttl(key) if backend == "redis" else None
    finally:
        await store.delete(key)
        await store.aclose()

    assert both == [b"first", b"second"]
    assert after == [None, None]
    if ttl_ms is not None:
        assert 0 < ttl_ms <= 30_000
