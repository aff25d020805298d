"""Exchange-rate adapters, and the converter the composition root builds from settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import redis.asyncio as aioredis

from orion.shared_kernel.adapters.exchange_rates.resilient import ResilientRates
from orion.shared_kernel.adapters.exchange_rates.sources import ECB_URL, HttpRates, StaticRates
from orion.shared_kernel.adapters.exchange_rates.stores import InMemoryRatesStore, RedisRatesStore
from orion.shared_kernel.adapters.resilience import breakers, close_breakers
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import (
    CurrencyConverter,
    ExchangeRates,
    RatesStore,
)

FRANKFURTER_URL = "https://api.frankfurter.dev/v1/latest?base=EUR"


def currency_converter(
    *,
    source: Literal["static", "ecb", "frankfurter"],
    url: str | None,
    redis_url: str | None,
    clock: Clock,
    refresh_s: float,
    max_age_s: float,
    connect_timeout_s: float,
    read_timeout_s: float,
    max_attempts: int,
    breaker_threshold: int,
    breaker_ttl_s: float,
) -> CurrencyConverter:
    """The static file in memory; or a publisher over HTTP behind retries and a breaker
    (shared through Redis when configured), its rates kept in Redis when configured."""
    publisher: ExchangeRates
    store: RatesStore
    if source == "static":
        return CurrencyConverter(
            source=StaticRates(),
            store=InMemoryRatesStore(),
            clock=clock,
            refresh=timedelta(seconds=refresh_s),
            max_age=timedelta(seconds=max_age_s),
        )
    http = HttpRates(
        kind=source,
        url=url or (ECB_URL if source == "ecb" else FRANKFURTER_URL),
        connect_timeout_s=connect_timeout_s,
        read_timeout_s=read_timeout_s,
    )
    factory = breakers(
        redis_url,
        breaker_threshold,
        breaker_ttl_s,
        log_event="exchange_rates_circuit_state_changed",
    )
    publisher = ResilientRates(http, factory, max_attempts=max_attempts)
    closers = [http.aclose, lambda: close_breakers(factory)]
    if redis_url is None:
        store = InMemoryRatesStore()
    else:
        client = aioredis.from_url(redis_url)
        store = RedisRatesStore(client, source)
        closers.append(client.aclose)
    return CurrencyConverter(
        source=publisher,
        store=store,
        clock=clock,
        refresh=timedelta(seconds=refresh_s),
        max_age=timedelta(seconds=max_age_s),
        closers=closers,
        circuits={f"exchange_rates.{publisher.name}": publisher.circuit_state},
    )
