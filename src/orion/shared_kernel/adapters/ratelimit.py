"""Rate limits with ``limits`` (moving window): in-process on the embedded default, Redis
when ``ORION_REDIS_URL`` is set, so that every process shares the counts.

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

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
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


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)

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
            allowed = await self._limiter.hit(item, *key)
            stats = await self._limiter.get_window_stats(item, *key)
        if not allowed:
            RATE_LIMITED.labels(limit).inc()
        return allowed, Window(
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_after_s=max(1, math.ceil(stats.reset_time - time.time())),
        )

    async def _retry_after(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        stats = await self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
