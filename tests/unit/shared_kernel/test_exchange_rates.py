"""Conversion with reference rates (Decimal, ISO 4217 exponents, half-even), the publishers'
documents, and the converter's ages: fresh, stale, refused."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from orion.shared_kernel.adapters.exchange_rates.sources import (
    StaticRates,
    parse_ecb,
    parse_frankfurter,
)
from orion.shared_kernel.adapters.exchange_rates.stores import InMemoryRatesStore, decode, encode
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, StoredRates
from orion.shared_kernel.domain.exchange import (
    RatesUnavailable,
    RateTable,
    UnsupportedCurrency,
    convert,
)
from orion.shared_kernel.domain.money import Money
from tests.fakes.clock import FrozenClock
from tests.fakes.rates_publisher import ECB_SAMPLE

TABLE = RateTable(
    base="EUR",
    as_of=date(2024, 11, 22),
    source="test",
    rates={"USD": Decimal("1.0412"), "JPY": Decimal("161.08"), "KWD": Decimal("0.3201")},
)


def eur(amount: int) -> Money:
    return Money(amount=amount, currency="EUR")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("JPY", Money(amount=3220, currency="JPY")),  # 19.99 x 161.08 = 3219.9892 -> 3220 yen
        ("KWD", Money(amount=6399, currency="KWD")),  # 19.99 x 0.3201 = 6.398799 -> 6.399 KWD
        ("USD", Money(amount=2081, currency="USD")),  # 19.99 x 1.0412 = 20.813588 -> 20.81 USD
        ("EUR", Money(amount=1999, currency="EUR")),
    ],
)
def test_a_price_converts_to_the_minor_units_of_its_target(target: str, expected: Money) -> None:
    assert convert(eur(1999), target, TABLE.rate("EUR", target)) == expected


def test_conversion_rounds_half_to_even() -> None:
    rate = Decimal("1.5")

    assert convert(eur(15), "USD", rate) == Money(amount=22, currency="USD")  # 0.225 -> 0.22
    assert convert(eur(25), "USD", rate) == Money(amount=38, currency="USD")  # 0.375 -> 0.38


def test_a_currency_without_minor_units_converts_to_major_units() -> None:
    yen = Money(amount=1000, currency="JPY")  # 1000 / 161.08 = 6.20809... EUR

    assert convert(yen, "EUR", TABLE.rate("JPY", "EUR")) == eur(621)


def test_rates_cross_through_the_base() -> None:
    assert TABLE.rate("USD", "JPY") == Decimal("154.706108337")  # 161.08 / 1.0412, 12 digits
    assert TABLE.rebased("USD").rates["EUR"] == Decimal("0.960430272762")


def test_a_currency_the_publisher_does_not_list_is_refused() -> None:
    with pytest.raises(UnsupportedCurrency, match="CHF"):
        TABLE.rate("EUR", "CHF")


def test_the_ecb_daily_document_parses() -> None:
    table = parse_ecb(ECB_SAMPLE.read_bytes())

    assert (table.base, table.as_of, table.source) == ("EUR", date(2022, 7, 8), "ecb")
    assert len(table.rates) == 31
    assert table.rates["USD"] == Decimal("1.0163")
    assert table.rates["JPY"] == Decimal("138.05")
    assert table.rates["IDR"] == Decimal("15210.73")


@pytest.mark.parametrize("document", [b"", b"<html>maintenance</html>", b"<a><b/>"])
def test_an_unreadable_ecb_document_is_refused(document: bytes) -> None:
    with pytest.raises(RatesUnavailable, match="cannot be read"):
        parse_ecb(document)


def test_a_frankfurter_document_parses_without_floats() -> None:
    table = parse_frankfurter(
        b'{"amount": 1.0, "base": "EUR", "date": "2024-11-22", "rates": {"USD": 1.0412}}'
    )

    assert table.rates == {"USD": Decimal("1.0412")}
    assert table.as_of == date(2024, 11, 22)


def test_the_static_rates_show_their_date() -> None:
    table = asyncio.run(StaticRates().fetch())

    assert table.source == "static"
    assert table.as_of == date(2022, 7, 8)
    assert table.rates["USD"] == Decimal("1.0163")


def test_stored_rates_survive_a_round_trip_through_json() -> None:
    stored = StoredRates(table=TABLE, fetched_at=FrozenClock().now())

    assert decode(encode(stored)) == stored


class CountingSource:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False

    async def fetch(self) -> RateTable:
        self.calls += 1
        await asyncio.sleep(0)
        if self.failing:
            raise RatesUnavailable("publisher down")
        return TABLE


def converter(source: CountingSource, clock: FrozenClock) -> CurrencyConverter:
    return CurrencyConverter(
        source=source,
        store=InMemoryRatesStore(),
        clock=clock,
        refresh=timedelta(hours=1),
        max_age=timedelta(hours=24),
    )


async def test_concurrent_first_reads_fetch_once() -> None:
    source, clock = CountingSource(), FrozenClock()
    rates = converter(source, clock)

    quotes = await asyncio.gather(*(rates.quote() for _ in range(20)))

    assert source.calls == 1
    assert {quote.stale for quote in quotes} == {False}


async def test_rates_past_the_refresh_serve_marked_stale_while_the_publisher_fails() -> None:
    source, clock = CountingSource(), FrozenClock()
    rates = converter(source, clock)
    await rates.quote()
    source.failing = True

    clock.advance(hours=2)
    quote = await rates.quote()
    await asyncio.sleep(0.01)  # the background refresh runs, and fails

    assert quote.stale
    assert quote.table == TABLE
    assert source.calls == 2
    assert (await rates.quote()).stale


async def test_rates_past_the_max_age_are_refused() -> None:
    source, clock = CountingSource(), FrozenClock()
    rates = converter(source, clock)
    await rates.quote()
    source.failing = True

    clock.advance(hours=24, seconds=1)

    with pytest.raises(RatesUnavailable, match="max age"):
        await rates.quote()


async def test_a_refresh_in_the_background_makes_rates_fresh_again() -> None:
    source, clock = CountingSource(), FrozenClock()
    rates = converter(source, clock)
    await rates.quote()

    clock.advance(minutes=45)  # past half the refresh: refreshed behind the reader's back
    assert not (await rates.quote()).stale
    await asyncio.sleep(0.01)
    clock.advance(minutes=45)

    assert source.calls == 2
    assert not (await rates.quote()).stale


async def test_no_rates_at_all_is_refused_when_the_publisher_fails() -> None:
    source = CountingSource()
    source.failing = True

    with pytest.raises(RatesUnavailable):
        await converter(source, FrozenClock()).quote()
