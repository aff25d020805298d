"""Exchange rates from a publisher on loopback: the ECB's XML over real HTTP, its failures
(500, 429 with Retry-After, a hang) retried as told, the breaker, Redis as the shared
store, and the API's answers: fresh, stale, and 503 past the max age."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import redis.asyncio as aioredis

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.exchange_rates import currency_converter
from orion.shared_kernel.adapters.exchange_rates.resilient import CircuitOpen, ResilientRates
from orion.shared_kernel.adapters.exchange_rates.sources import HttpRates, PublisherUnavailable
from orion.shared_kernel.adapters.exchange_rates.stores import RedisRatesStore
from orion.shared_kernel.adapters.resilience import breakers
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.domain.exchange import RatesUnavailable
from tests.conftest import shop_settings, shop_with_rates
from tests.fakes.clock import FrozenClock
from tests.fakes.rates_publisher import HANG, RatesPublisher, answer, rates_publisher

READ_TIMEOUT_S = 0.3


@pytest.fixture
async def publisher() -> AsyncIterator[RatesPublisher]:
    async with rates_publisher() as running:
        yield running


class Sleeps:
    """tenacity's sleep, recorded instead of slept: the waits are asserted, not timed."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def resilient(publisher: RatesPublisher, sleeps: Sleeps, **options: int) -> ResilientRates:
    http = HttpRates(kind="ecb", url=publisher.url, read_timeout_s=READ_TIMEOUT_S)
    factory = breakers(None, threshold=options.pop("threshold", 100), ttl_s=60)
    return ResilientRates(http, factory, backoff_s=0.1, max_backoff_s=1, sleep=sleeps, **options)


async def test_rates_parse_from_the_ecb_feed_over_http(publisher: RatesPublisher) -> None:
    table = await HttpRates(kind="ecb", url=publisher.url).fetch()

    assert (table.base, table.as_of, table.source) == ("EUR", date(2022, 7, 8), "ecb")
    assert table.rates["USD"] == Decimal("1.0163")
    assert publisher.calls == 1


async def test_a_500_then_a_429_are_retried_as_told_and_a_hang_times_out(
    publisher: RatesPublisher,
) -> None:
    publisher.script(answer(500), answer(429, retry_after="7"), HANG)
    sleeps = Sleeps()

    with pytest.raises(PublisherUnavailable, match="ReadTimeout"):
        await resilient(publisher, sleeps, max_attempts=3).fetch()

    assert publisher.calls == 3
    assert len(sleeps.waits) == 2
    assert 0.1 <= sleeps.waits[0] <= 0.3  # backoff with jitter after the 500
    assert sleeps.waits[1] == 7  # the 429's Retry-After, longer than the backoff


async def test_a_publisher_that_recovers_within_the_attempts_gives_its_rates(
    publisher: RatesPublisher,
) -> None:
    publisher.script(answer(503), answer(502))

    table = await resilient(publisher, Sleeps(), max_attempts=3).fetch()

    assert table.rates["JPY"] == Decimal("138.05")
    assert publisher.calls == 3


async def test_the_breaker_opens_and_the_publisher_is_no_longer_called(
    publisher: RatesPublisher,
) -> None:
    publisher.down = answer(500)
    rates = resilient(publisher, Sleeps(), max_attempts=3, threshold=3)
    with pytest.raises(PublisherUnavailable):
        await rates.fetch()
    calls = publisher.calls

    with pytest.raises(CircuitOpen):
        await rates.fetch()

    assert calls == 3
    assert publisher.calls == calls


async def test_a_document_that_cannot_be_read_is_not_retried(publisher: RatesPublisher) -> None:
    publisher.document = b"<html>maintenance</html>"

    with pytest.raises(RatesUnavailable, match="cannot be read"):
        await resilient(publisher, Sleeps(), max_attempts=3).fetch()

    assert publisher.calls == 1


async def test_processes_share_the_rates_through_redis(
    publisher: RatesPublisher, redis: aioredis.Redis
) -> None:
    key = f"ecb-{uuid.uuid4().hex}"
    clock = FrozenClock()

    def process() -> CurrencyConverter:
        return CurrencyConverter(
            source=HttpRates(kind="ecb", url=publisher.url),
            store=RedisRatesStore(redis, key),
            clock=clock,
            refresh=timedelta(hours=1),
            max_age=timedelta(hours=24),
        )

    first = await process().quote()
    second = await process().quote()

    assert publisher.calls == 1
    assert second.table == first.table
    assert second.fetched_at == first.fetched_at
    await redis.delete(f"orion:exchange-rates:{key}")


@pytest.fixture
async def shop(
    orion: Orion, database_url: str, publisher: RatesPublisher
) -> AsyncIterator[tuple[Orion, FrozenClock]]:
    """The shop with the ECB on loopback, a frozen clock, rates in this process's memory."""
    clock = FrozenClock()
    settings = shop_settings(
        exchange_rates_source="ecb",
        exchange_rates_url=publisher.url,
        exchange_rates_read_timeout_s=READ_TIMEOUT_S,
        exchange_rates_connect_timeout_s=1,
        exchange_rates_max_attempts=1,
        exchange_rates_breaker_threshold=2,
    )
    converter = currency_converter(settings=settings, clock=clock)
    async with shop_with_rates(converter, database_url) as shop:
        yield shop, clock


async def test_the_api_serves_fresh_then_stale_then_503_past_the_max_age(
    shop: tuple[Orion, FrozenClock], publisher: RatesPublisher
) -> None:
    orion, clock = shop
    app = orion.create_app()
    async with app.test_app() as test_app:
        client = test_app.test_client()

        fresh = await client.get("/api/v1/exchange-rates?base=USD")
        publisher.down = answer(500)
        clock.advance(hours=2)
        stale = await client.get("/api/v1/exchange-rates")
        clock.advance(hours=23)
        refused = await client.get("/api/v1/exchange-rates")

    assert fresh.status_code == 200
    body = await fresh.get_json()
    assert body["base"] == "USD"
    assert body["source"] == "ecb"
    assert body["as_of"] == "2022-07-08"
    assert body["rates"]["JPY"] == "135.835875234"  # 138.05 / 1.0163, 12 digits
    assert body["stale"] is False
    assert stale.status_code == 200
    assert (await stale.get_json())["stale"] is True
    assert refused.status_code == 503
    assert refused.content_type == "application/problem+json"
    assert (await refused.get_json())["type"] == "/problems/exchange-rates-unavailable"


async def test_rates_past_the_max_age_are_fetched_anew_when_the_publisher_answers(
    shop: tuple[Orion, FrozenClock], publisher: RatesPublisher
) -> None:
    orion, clock = shop
    app = orion.create_app()
    async with app.test_app() as test_app:
        client = test_app.test_client()
        await client.get("/api/v1/exchange-rates")
        clock.advance(hours=25)  # nobody asked for a day: the stored rates are too old
        answered = await client.get("/api/v1/exchange-rates")

    assert answered.status_code == 200
    assert (await answered.get_json())["stale"] is False
    assert publisher.calls == 2


async def test_the_publishers_breaker_state_is_on_metrics(
    shop: tuple[Orion, FrozenClock], publisher: RatesPublisher
) -> None:
    orion, _ = shop
    publisher.down = answer(500)
    app = orion.create_app()
    async with app.test_app() as test_app:
        client = test_app.test_client()
        metrics = orion.create_ops_app(shared_state=True).test_client()
        before = await (await metrics.get("/metrics")).get_data(as_text=True)
        refused = [(await client.get("/api/v1/exchange-rates")).status_code for _ in range(3)]
        after = await (await metrics.get("/metrics")).get_data(as_text=True)

    state = 'orion_circuit_breaker_state{breaker="exchange_rates.ecb",state="%s"} 1.0'
    assert refused == [503, 503, 503]
    assert state % "closed" in before
    assert state % "opened" in after
    assert publisher.calls == 2  # the third was refused by the open breaker


async def test_workers_that_convert_prices_refresh_the_rates_on_their_own(
    database_url: str, publisher: RatesPublisher
) -> None:
    ecb = Orion(
        shop_settings(exchange_rates_source="ecb", exchange_rates_url=publisher.url),
        database_url,
    )
    static = Orion(shop_settings(), database_url)
    try:
        jobs = {job.name: job for job in ecb.periodic_jobs(["catalog"])}
        refresh = jobs["exchange_rates.refresh"]
        await refresh.run()
        fetched_by_the_job = publisher.calls
        quote = await ecb.exchange_rates.quote()  # served from what the job stored

        assert refresh.interval_s == ecb.settings.exchange_rates_refresh_s / 2
        assert (fetched_by_the_job, publisher.calls) == (1, 1)
        assert quote.table.as_of == date(2022, 7, 8)
        assert "exchange_rates.refresh" not in {j.name for j in ecb.periodic_jobs(["payments"])}
        assert "exchange_rates.refresh" not in {j.name for j in static.periodic_jobs()}
    finally:
        await ecb.aclose()
        await static.aclose()
