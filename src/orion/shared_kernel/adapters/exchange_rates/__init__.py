"""Exchange-rate adapters, and the converter the composition root builds from settings."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis

from orion.shared_kernel.adapters.exchange_rates.resilient import ResilientRates
from orion.shared_kernel.adapters.exchange_rates.sources import ECB_URL, HttpRates, StaticRates
from orion.shared_kernel.adapters.exchange_rates.stores import InMemoryRatesStore, RedisRatesStore
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.resilience import breakers, close_breakers
from orion.shared_kernel.adapters.settings import PlatformSettings, reveal
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import (
    CurrencyConverter,
    ExchangeRates,
    RatesStore,
)

FRANKFURTER_URL = "https://api.frankfurter.dev/v1/latest?base=EUR"


def currency_converter(*, settings: PlatformSettings, clock: Clock) -> CurrencyConverter:
    """The static file in memory; or a publisher over HTTP behind retries and a breaker
    (shared through Redis when configured), its rates kept in Redis when configured."""
    publisher: ExchangeRates
    store: RatesStore
    source = settings.exchange_rates_source
    refresh_s, max_age_s = settings.exchange_rates_refresh_s, settings.exchange_rates_max_age_s
    redis_url = reveal(settings.redis_url)
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
        url=settings.exchange_rates_url or (ECB_URL if source == "ecb" else FRANKFURTER_URL),
        connect_timeout_s=settings.exchange_rates_connect_timeout_s,
        read_timeout_s=settings.exchange_rates_read_timeout_s,
    )
    factory = breakers(
        redis_url,
        settings.exchange_rates_breaker_threshold,
        settings.exchange_rates_breaker_ttl_s,
        log_event="exchange_rates_circuit_state_changed",
    )
    publisher = ResilientRates(http, factory, max_attempts=settings.exchange_rates_max_attempts)
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


def refresh_job(converter: CurrencyConverter, settings: PlatformSettings) -> list[PeriodicJob]:
    """For the modules that convert prices: their processes keep the rates fresh even when
    nobody reads them (a job of this name runs once per process, whichever modules ask)."""
    if settings.exchange_rates_source == "static":
        return []
    return [
        PeriodicJob(
            name="exchange_rates.refresh",
            interval_s=settings.exchange_rates_refresh_s / 2,
            run=converter.refresh,
        )
    ]
