"""Rate limits with ``limits`` (moving window): in-process on the embedded default, Redis
when ``ORION_REDIS_URL`` is set, so that every process shares the counts.

A request's limit is one Redis round trip (ADR 15): ``limits`` offers the moving window's
hit (``acquire_entry``) and its stats (``get_moving_window``) as two Lua scripts, so
``acquire`` runs one script of ours, registered on the storage's own client, that is those
two joined: the same list under the same key, so ``check`` and ``count`` (through
``limits``) see what ``acquire`` counted.

When the storage cannot be reached, every method raises ``RateLimitsUnavailable`` (503):
a limit that cannot be checked refuses, unless the caller chooses to fail open (the
general API does, ``http/ratelimit.py``)."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.exceptions import RedisError

from orion.shared_kernel.adapters.metrics import RATE_LIMITED
from orion.shared_kernel.domain.errors import DependencyUnavailable, DomainError


class RateLimited(DomainError):
    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class RateLimitsUnavailable(DependencyUnavailable):
    """The limits' storage cannot be reached: the limit cannot be checked."""


@asynccontextmanager
async def _storage_errors() -> AsyncIterator[None]:
    try:
        yield
    except (RedisError, OSError, StorageError) as error:
        raise RateLimitsUnavailable(
            "rate limits cannot be checked right now; try again shortly"
        ) from error


def storage(redis_url: str | None) -> Storage:
    if redis_url is None:
        return MemoryStorage()
    scheme, _, rest = redis_url.partition("://")
    shared = storage_from_string(f"async+{scheme}://{rest}", implementation="redispy")
    assert isinstance(shared, Storage)  # an async+ scheme gives an asyncio storage
    return shared


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Where a key stands in its limit after a request: for the RateLimit-* headers."""

    limit: int
    remaining: int
    reset_after_s: int


@lru_cache(maxsize=64)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


# limits' acquire_moving_window.lua (for one entry) then moving_window.lua, in one script:
# the key's list holds the hits' timestamps, newest first, trimmed to the limit.
ACQUIRE_AND_WINDOW = b"""
local timestamp = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local entry = redis.call('lindex', KEYS[1], limit - 1)
local acquired = 0
if not (entry and tonumber(entry) >= timestamp - expiry) then
    redis.call('lpush', KEYS[1], ARGV[1])
    redis.call('ltrim', KEYS[1], 0, limit - 1)
    redis.call('expire', KEYS[1], expiry)
    acquired = 1
end
local low, high, found = 0, limit - 1, nil
while low <= high do
    local mid = math.floor((low + high) / 2)
    local value = tonumber(redis.call('lindex', KEYS[1], mid))
    if value and value >= timestamp - expiry then
        found = mid
        low = mid + 1
    else
        high = mid - 1
    end
end
if found == nil then
    return {acquired, ARGV[1], 0}
end
return {acquired, tostring(redis.call('lindex', KEYS[1], found)), found + 1}
"""


class _MovingWindow(Protocol):
    async def __call__(self, item: RateLimitItem, key: str) -> tuple[bool, float, int]:
        """Counts one hit if the window has room; says whether it did, when the window's
        oldest hit was, and how many hits it holds."""


class _RedisMovingWindow:
    """The hit and the window's stats in one Lua script: one round trip."""

    def __init__(self, storage: RedisStorage) -> None:
        bridge = storage.bridge
        assert isinstance(bridge, RedispyBridge)  # storage() makes it so
        self._prefixed_key = bridge.prefixed_key
        self._script = bridge.get_connection().register_script(ACQUIRE_AND_WINDOW)

    async def __call__(self, item: RateLimitItem, key: str) -> tuple[bool, float, int]:
        now = time.time()
        acquired, oldest, count = await self._script(
            [self._prefixed_key(key)], [now, item.amount, item.get_expiry()]
        )
        return bool(acquired), float(oldest), int(count)


class _StorageMovingWindow:
    """Any other storage (this process's memory): ``limits``' own two calls, no I/O."""

    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage

    async def __call__(self, item: RateLimitItem, key: str) -> tuple[bool, float, int]:
        expiry = item.get_expiry()
        acquired = await self._storage.acquire_entry(key, item.amount, expiry)
        oldest, count = await self._storage.get_moving_window(key, item.amount, expiry)
        return acquired, oldest, count


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._acquire: _MovingWindow
        if isinstance(storage, RedisStorage):
            self._acquire = _RedisMovingWindow(storage)
        else:
            assert isinstance(storage, MemoryStorage)  # storage() makes one of the two
            self._acquire = _StorageMovingWindow(storage)

    async def check(self, limit: str, *key: str) -> None:
        """Refuses with ``RateLimited`` when ``limit`` (``"5/minute"``) is used up for ``key``."""
        item = _parsed(limit)
        async with _storage_errors():
            allowed = await self._limiter.test(item, *key)
            if not allowed:
                retry_after = await self._retry_after(item, key)
        if not allowed:
            RATE_LIMITED.labels(limit).inc()
            raise RateLimited(f"limit {limit} reached", retry_after)

    async def hit(self, limit: str, *key: str) -> None:
        async with _storage_errors():
            await self._limiter.hit(_parsed(limit), *key)

    async def count(self, limit: str, *key: str) -> int:
        """How many hits ``key`` has in ``limit``'s current window (at most its amount)."""
        item = _parsed(limit)
        async with _storage_errors():
            stats = await self._limiter.get_window_stats(item, *key)
        return item.amount - stats.remaining

    async def acquire(self, limit: str, *key: str) -> tuple[bool, Window]:
        """Counts one request against ``limit`` for ``key`` if the window has room (a refused
        request is not counted); says whether it had, and where the key stands."""
        item = _parsed(limit)
        async with _storage_errors():
            allowed, oldest, count = await self._acquire(item, item.key_for(*key))
        if not allowed:
            RATE_LIMITED.labels(limit).inc()
        return allowed, Window(
            limit=item.amount,
            remaining=max(0, item.amount - count),
            reset_after_s=max(1, math.ceil(oldest + item.get_expiry() - time.time())),
        )

    async def _retry_after(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        stats = await self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
