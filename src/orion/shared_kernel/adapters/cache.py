"""A read-through cache for read models (ADR 14): Redis when configured (every process sees
one copy, and one process's invalidation), else an in-process LRU (the embedded default).

- An entry is a *field* of a *key*; invalidating a key drops all its fields at once. A
  product's page is one field of the product's key; every product list page is a field of
  one ``lists`` key, so any product change drops them all with one delete.
- One load per entry at a time in a process: concurrent misses wait for the first load
  (single-flight) instead of each querying the database.
- A short TTL is the backstop for an invalidation that was missed: a key lives at most that
  long after its first field was stored.
- Reads fail open: when Redis cannot be reached, reads go to the loader, the failure is
  logged (``cache_unavailable``) and counted (``errors``).
- ``CacheInvalidation`` drops the entries a module's own events name: right after the
  writer's commit (so the writer's next read sees its change) and again when the event comes
  back through the module's inbox (which retries until Redis takes the delete, so a crash
  between commit and delete, or Redis refusing it, leaves nothing stale past the retry).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from orion.shared_kernel.adapters.metrics import CACHE_LOOKUPS
from orion.shared_kernel.application.messages import IntegrationEvent

log = structlog.get_logger("orion.cache")

T = TypeVar("T")


class CacheBackend(Protocol):
    async def get(self, key: str, field: str) -> bytes | None: ...

    async def set(self, key: str, field: str, value: bytes, ttl_s: float) -> None:
        """Stores the field; the key expires ``ttl_s`` after its first field was stored."""

    async def delete(self, *keys: str) -> None: ...

    async def ping(self) -> None:
        """Raises if the store cannot be reached (readiness)."""

    async def aclose(self) -> None: ...


class RedisCacheBackend:
    """A key is a Redis hash of its fields."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def get(self, key: str, field: str) -> bytes | None:
        value = await self._redis.hget(key, field)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, field: str, value: bytes, ttl_s: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, field, value)
            pipe.pexpire(key, max(1, int(ttl_s * 1000)), nx=True)
            await pipe.execute()

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*keys)

    async def ping(self) -> None:
        await self._redis.ping()

    async def aclose(self) -> None:
        await self._redis.aclose()


class LruCacheBackend:
    """This process's memory: at most ``max_entries`` keys, the least recently used dropped
    first."""

    def __init__(
        self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, dict[str, bytes]]] = OrderedDict()
        self._max_entries, self._clock = max_entries, clock

    async def get(self, key: str, field: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, fields = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return fields.get(field)

    async def set(self, key: str, field: str, value: bytes, ttl_s: float) -> None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            entry = (self._clock() + ttl_s, {})
            self._entries[key] = entry
        entry[1][field] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def ping(self) -> None:
        """Always here: it is this process's memory."""

    async def aclose(self) -> None:
        self._entries.clear()


class ReadThroughCache:
    def __init__(self, backend: CacheBackend, *, namespace: str, ttl_s: float) -> None:
        self._backend = backend
        self._prefix = f"orion:cache:{namespace}:"
        self.ttl_s = ttl_s
        self._loading: dict[tuple[str, str], asyncio.Future[bytes]] = {}
        self.hits = self.misses = self.coalesced = self.errors = 0
        self._counted = {  # the same counts, for /metrics
            outcome: CACHE_LOOKUPS.labels(namespace, outcome)
            for outcome in ("hit", "miss", "coalesced", "error")
        }

    async def get_or_load(
        self,
        key: str,
        load: Callable[[], Awaitable[T]],
        encode: Callable[[T], bytes],
        decode: Callable[[bytes], T],
        *,
        field: str = "",
    ) -> T:
        """The cached value, or the loaded one (then cached). Callers of an entry whose read
        is in flight in this process wait for it, so a stampede costs one cache read and at
        most one load."""
        full_key = self._prefix + key
        flight_key = (full_key, field)
        flight = self._loading.get(flight_key)
        if flight is not None:
            self.coalesced += 1
            self._counted["coalesced"].inc()
            return decode(await asyncio.shield(flight))
        flight = asyncio.get_running_loop().create_future()
        self._loading[flight_key] = flight
        try:
            encoded = await self._read_through(full_key, field, load, encode)
        except BaseException as error:
            flight.set_exception(error)
            flight.exception()  # retrieved: the waiters, if any, get it too
            raise
        else:
            flight.set_result(encoded)
        finally:
            del self._loading[flight_key]
        return decode(encoded)

    async def _read_through(
        self,
        full_key: str,
        field: str,
        load: Callable[[], Awaitable[T]],
        encode: Callable[[T], bytes],
    ) -> bytes:
        try:
            cached = await self._backend.get(full_key, field)
        except (RedisError, OSError) as error:
            self._failed("get", error)
            cached = None
        if cached is not None:
            self.hits += 1
            self._counted["hit"].inc()
            return cached
        self.misses += 1
        self._counted["miss"].inc()
        encoded = encode(await load())
        try:
            await self._backend.set(full_key, field, encoded, self.ttl_s)
        except (RedisError, OSError) as error:
            self._failed("set", error)
        return encoded

    async def invalidate(self, *keys: str, fail_open: bool = True) -> None:
        """Drops the keys with all their fields. A backend error is logged and counted (the
        TTL ends the stale entry), or raised with ``fail_open=False`` for a caller that
        retries."""
        try:
            await self._backend.delete(*(self._prefix + key for key in keys))
        except (RedisError, OSError) as error:
            self._failed("delete", error)
            if not fail_open:
                raise

    def _failed(self, operation: str, error: BaseException) -> None:
        self.errors += 1
        self._counted["error"].inc()
        log.warning("cache_unavailable", operation=operation, error=str(error))


class CacheInvalidation:
    """Drops the cache entries that a module's own events name (``keys`` maps an event to
    the cache keys it makes stale).

    Given to the module's unit of work as its ``after_commit``: the writer's next read sees
    its change. Run as the policy of the module's subscription to its own events: the same
    drop again, through the inbox, raising when Redis refuses so that the message is retried,
    for as long as that can matter: once the event is older than the cache's TTL, whatever
    it made stale has expired, and a failed drop is given up (no dead letter for it).
    """

    def __init__(
        self,
        cache: ReadThroughCache,
        keys: Callable[[IntegrationEvent], Iterable[str]],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._cache = cache
        self._keys = keys
        self._now = now

    async def after_commit(self, events: Sequence[IntegrationEvent]) -> None:
        stale = {key for event in events for key in self._keys(event)}
        if stale:
            await self._cache.invalidate(*sorted(stale))

    async def __call__(self, event: IntegrationEvent, uow: Any) -> None:
        stale = sorted(set(self._keys(event)))
        if not stale:
            return
        try:
            await self._cache.invalidate(*stale, fail_open=False)
        except (RedisError, OSError):
            age_s = (self._now() - event.occurred_at).total_seconds()
            if age_s <= self._cache.ttl_s:
                raise  # retried: the entries may still be there
            log.info("cache_drop_given_up", message_type=event.wire_name, age_s=round(age_s, 1))


def cache_backend(redis_url: str | None) -> RedisCacheBackend | LruCacheBackend:
    """Redis when a URL is given (it connects on first use), else this process's LRU."""
    if redis_url is None:
        return LruCacheBackend()
    return RedisCacheBackend(aioredis.from_url(redis_url))
