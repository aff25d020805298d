"""Rate limits with ``limits`` (moving window): in-process on the embedded default, Redis
when ``ORION_REDIS_URL`` is set, so that every process shares the counts."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from orion.shared_kernel.adapters.metrics import RATE_LIMITED
from orion.shared_kernel.domain.errors import DomainError


class RateLimited(DomainError):
    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


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
        item = parse(limit)
        if not await self._limiter.test(item, *key):
            RATE_LIMITED.labels(limit).inc()
            raise RateLimited(f"limit {limit} reached", await self._retry_after(item, key))

    async def hit(self, limit: str, *key: str) -> None:
        await self._limiter.hit(parse(limit), *key)

    async def acquire(self, limit: str, *key: str) -> tuple[bool, Window]:
        """Counts one request against ``limit`` for ``key`` if the window has room (a refused
        request is not counted); says whether it had, and where the key stands."""
        item = _parsed(limit)
        allowed = await self._limiter.hit(item, *key)
        if not allowed:
            RATE_LIMITED.labels(limit).inc()
        stats = await self._limiter.get_window_stats(item, *key)
        return allowed, Window(
            limit=item.amount,
            remaining=max(0, stats.remaining),
            reset_after_s=max(1, math.ceil(stats.reset_time - time.time())),
        )

    async def _retry_after(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        stats = await self._limiter.get_window_stats(item, *key)
        return max(1, math.ceil(stats.reset_time - time.time()))
