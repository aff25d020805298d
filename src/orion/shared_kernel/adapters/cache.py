"""A read-through cache for read models (ADR 14): Redis when configured (every process sees
one copy, and one process's invalidation), else an in-process LRU (the embedded default).

- One load per key at a time in a process: concurrent misses wait for the first load
  (single-flight) instead of each querying the database.
- A short TTL on every entry is the backstop for an invalidation that was missed.
- The cache fails open: when Redis cannot be reached, reads go to the loader, the failure
  is logged (``cache_unavailable``) and counted (``errors``).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from orion.shared_kernel.adapters.metrics import CACHE_LOOKUPS

log = structlog.get_logger("orion.cache")

T = TypeVar("T")


class CacheBackend(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: float) -> None: ...

    async def delete(self, *keys: str) -> None: ...


class RedisCacheBackend:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        await self._redis.set(key, value, px=max(1, int(ttl_s * 1000)))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*keys)

    async def aclose(self) -> None:
        await self._redis.aclose()


class LruCacheBackend:
    """This process's memory: at most ``max_entries``, the least recently used dropped first."""

    def __init__(
        self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries, self._clock = max_entries, clock

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._entries[key] = (self._clock() + ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def aclose(self) -> None:
        self._entries.clear()


class ReadThroughCache:
    def __init__(self, backend: CacheBackend, *, namespace: str, ttl_s: float) -> None:
        self._backend = backend
        self._prefix = f"orion:cache:{namespace}:"
        self._ttl_s = ttl_s
        self._loading: dict[str, asyncio.Future[bytes]] = {}
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
    ) -> T:
        """The cached value, or the loaded one (then cached). Callers of a key whose read is
        in flight in this process wait for it, so a stampede costs one cache read and at
        most one load."""
        full_key = self._prefix + key
        flight = self._loading.get(full_key)
        if flight is not None:
            self.coalesced += 1
            self._counted["coalesced"].inc()
            return decode(await asyncio.shield(flight))
        flight = asyncio.get_running_loop().create_future()
        self._loading[full_key] = flight
        try:
            encoded = await self._read_through(full_key, load, encode)
        except BaseException as error:
            flight.set_exception(error)
            flight.exception()  # retrieved: the waiters, if any, get it too
            raise
        else:
            flight.set_result(encoded)
        finally:
            del self._loading[full_key]
        return decode(encoded)

    async def _read_through(
        self, full_key: str, load: Callable[[], Awaitable[T]], encode: Callable[[T], bytes]
    ) -> bytes:
        try:
            cached = await self._backend.get(full_key)
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
            await self._backend.set(full_key, encoded, self._ttl_s)
        except (RedisError, OSError) as error:
            self._failed("set", error)
        return encoded

    async def invalidate(self, *keys: str) -> None:
        try:
            await self._backend.delete(*(self._prefix + key for key in keys))
        except (RedisError, OSError) as error:
            self._failed("delete", error)  # the TTL ends the stale entry

    def _failed(self, operation: str, error: BaseException) -> None:
        self.errors += 1
        self._counted["error"].inc()
        log.warning("cache_unavailable", operation=operation, error=str(error))


def cache_backend(redis_url: str | None) -> RedisCacheBackend | LruCacheBackend:
    """Redis when a URL is given (it connects on first use), else this process's LRU."""
    if redis_url is None:
        return LruCacheBackend()
    return RedisCacheBackend(aioredis.from_url(redis_url))
