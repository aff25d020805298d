"""Where the last rates fetched are kept: Redis when configured (every process sees one
table, refreshed by whichever process gets there first), else this process's memory."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import redis.asyncio as aioredis

from orion.shared_kernel.application.exchange_rates import StoredRates
from orion.shared_kernel.domain.exchange import RateTable


class InMemoryRatesStore:
    def __init__(self) -> None:
        self._rates: StoredRates | None = None

    async def get(self) -> StoredRates | None:
        return self._rates

    async def put(self, rates: StoredRates) -> None:
        self._rates = rates


class RedisRatesStore:
    """One JSON value per publisher, without expiry: the converter judges age itself, so
    that rates past their refresh still serve (marked stale) until the max age."""

    def __init__(self, redis: aioredis.Redis, publisher: str) -> None:
        self._redis = redis
        self._key = f"orion:exchange-rates:{publisher}"

    async def get(self) -> StoredRates | None:
        raw = await self._redis.get(self._key)
        return None if raw is None else decode(raw)

    async def put(self, rates: StoredRates) -> None:
        await self._redis.set(self._key, encode(rates))


def encode(rates: StoredRates) -> str:
    table = rates.table
    return json.dumps(
        {
            "base": table.base,
            "as_of": table.as_of.isoformat(),
            "source": table.source,
            "rates": {code: str(rate) for code, rate in table.rates.items()},
            "fetched_at": rates.fetched_at.isoformat(),
        }
    )


def decode(raw: bytes | str) -> StoredRates:
    value = json.loads(raw)
    table = RateTable(
        base=value["base"],
        as_of=date.fromisoformat(value["as_of"]),
        source=value["source"],
        rates={code: Decimal(rate) for code, rate in value["rates"].items()},
    )
    return StoredRates(table=table, fetched_at=datetime.fromisoformat(value["fetched_at"]))
