"""Product prices in the customer's currency (``?currency=``), beside the base price, with
the static rates of the embedded default; refused with 503 once the rates are too old."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.exchange_rates.stores import InMemoryRatesStore
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, StoredRates
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable
from tests.conftest import Client, shop_with_rates
from tests.fakes.clock import FrozenClock
from tests.integration.catalog.test_product_api import create


async def test_a_product_shows_its_price_converted_beside_the_base_price(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin, price={"amount": 1999, "currency": "EUR"})

    response = await client.get(f"/api/v1/products/{created['id']}?currency=JPY")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = await response.get_json()
    assert body["price"] == {"amount": 1999, "currency": "EUR"}
    assert body["converted"] == {
        "price": {"amount": 2760, "currency": "JPY"},  # 19.99 x 138.05 = 2759.6195
        "rate": "138.05",
        "source": "static",
        "as_of": "2022-07-08",
        "stale": False,
    }


async def test_a_product_list_shows_each_price_converted(
    client: Client, admin: dict[str, str]
) -> None:
    await create(client, admin, sku="A", price={"amount": 1999, "currency": "EUR"})
    await create(client, admin, sku="B", price={"amount": 45, "currency": "EUR"})

    response = await client.get("/api/v1/products?currency=USD&sort=-price")

    assert response.status_code == 200
    items = (await response.get_json())["items"]
    assert [item["converted"]["price"] for item in items] == [
        {"amount": 2032, "currency": "USD"},  # 19.99 x 1.0163 = 20.315837
        {"amount": 46, "currency": "USD"},  # 0.45 x 1.0163 = 0.457335
    ]


async def test_without_a_currency_no_conversion_is_shown(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin)

    detail = await (await client.get(f"/api/v1/products/{created['id']}")).get_json()
    listed = await (await client.get("/api/v1/products")).get_json()

    assert "converted" not in detail
    assert "converted" not in listed["items"][0]


async def test_a_currency_that_is_not_iso_4217_or_not_published_is_refused(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin)

    not_a_currency = await client.get(f"/api/v1/products/{created['id']}?currency=XYZ")
    unpublished = await client.get("/api/v1/products?currency=KWD")

    assert not_a_currency.status_code == 422
    assert (await not_a_currency.get_json())["type"] == "/problems/validation-failed"
    assert unpublished.status_code == 422
    assert (await unpublished.get_json())["type"] == "/problems/unsupported-currency"


class DownPublisher:
    name = "ecb"

    async def fetch(self) -> RateTable:
        raise RatesUnavailable("the publisher is down")


async def test_prices_are_not_converted_with_rates_past_their_max_age(
    orion: Orion, database_url: str, admin: dict[str, str]
) -> None:
    clock = FrozenClock()
    store = InMemoryRatesStore()
    table = RateTable(base="EUR", as_of=date(2024, 11, 22), source="ecb", rates={"USD": Decimal(1)})
    await store.put(StoredRates(table=table, fetched_at=clock.now() - timedelta(hours=25)))
    converter = CurrencyConverter(
        source=DownPublisher(),
        store=store,
        clock=clock,
        refresh=timedelta(hours=1),
        max_age=timedelta(hours=24),
    )
    async with (
        shop_with_rates(converter, database_url) as shop,
        shop.create_app().test_app() as test_app,
    ):
        client = test_app.test_client()
        created = await create(client, admin)

        converted = await client.get(f"/api/v1/products/{created['id']}?currency=USD")
        listed = await client.get("/api/v1/products?currency=USD")
        plain = await client.get(f"/api/v1/products/{created['id']}")

    assert converted.status_code == 503
    assert converted.content_type == "application/problem+json"
    assert (await converted.get_json())["type"] == "/problems/exchange-rates-unavailable"
    assert listed.status_code == 503
    assert plain.status_code == 200
