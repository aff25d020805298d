"""Checkout in another currency: the order is priced and charged in it, each unit price
converted once (as the cart showed), and keeps the rate, its source and its time; with
rates past their max age no order is placed (503)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import orders
from orion.modules.payments.adapters.sql.tables import payments
from orion.shared_kernel.adapters.exchange_rates.stores import InMemoryRatesStore
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, StoredRates
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable
from tests.conftest import Client, shop_with_rates
from tests.fakes.clock import FrozenClock
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
    settle,
)


async def test_a_checkout_in_usd_is_charged_in_usd_and_keeps_its_rate(
    client: Client, orion: Orion
) -> None:
    await orion.start_consumers(["catalog", "ordering", "payments"])
    headers = await customer(orion)
    mug, pen = await product(orion, price=1999), await product(orion, price=45)
    await put_item(client, headers, mug, quantity=2)
    await put_item(client, headers, pen, quantity=3)
    cart = await (await client.get("/api/v1/cart?currency=USD", headers=headers)).get_json()

    response = await checkout(client, headers, body={**ORDER_BODY, "currency": "USD"})

    assert response.status_code == 202, await response.get_data(as_text=True)
    order = await response.get_json()
    assert [line["unit_price"] for line in order["lines"]] == [
        {"amount": 2032, "currency": "USD"},  # 19.99 x 1.0163 = 20.315837
        {"amount": 46, "currency": "USD"},  # 0.45 x 1.0163 = 0.457335
    ]
    assert order["total"] == {"amount": 2 * 2032 + 3 * 46, "currency": "USD"}
    assert order["total"] == cart["converted"]["total"]  # what the cart showed
    applied = order["applied_rate"]
    assert (applied["base_currency"], applied["rate"], applied["source"], applied["as_of"]) == (
        "EUR",
        "1.0163",
        "static",
        "2022-07-08",
    )
    async with orion.engine.connect() as connection:
        row = (await connection.execute(sa.select(orders).where(orders.c.id == order["id"]))).one()
    assert (row.currency, row.total_amount) == ("USD", 4202)
    assert (row.rate_base_currency, row.rate, row.rate_source) == (
        "EUR",
        Decimal("1.0163"),
        "static",
    )
    assert row.rate_as_of == date(2022, 7, 8)
    assert row.rate_fetched_at.isoformat() == applied["fetched_at"]

    shown = await (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).get_json()
    assert shown["applied_rate"] == applied
    await settle(orion)
    async with orion.engine.connect() as connection:
        charged = (
            await connection.execute(
                sa.select(payments.c.amount, payments.c.currency).where(
                    payments.c.order_id == uuid.UUID(order["id"])
                )
            )
        ).one()
    assert tuple(charged) == (4202, "USD")


async def test_a_checkout_in_the_catalogs_currency_needs_no_rate(
    client: Client, orion: Orion
) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion, price=1999))

    response = await checkout(client, headers, body={**ORDER_BODY, "currency": "EUR"})

    assert response.status_code == 202
    order = await response.get_json()
    assert order["total"] == {"amount": 1999, "currency": "EUR"}
    assert order["applied_rate"] is None


async def test_a_replayed_checkout_in_usd_answers_the_same(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion, price=1999))
    body = {**ORDER_BODY, "currency": "USD"}

    first = await checkout(client, headers, key="k-usd", body=body)
    again = await checkout(client, headers, key="k-usd", body=body)
    other = await checkout(client, headers, key="k-usd", body={**body, "currency": "JPY"})

    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await again.get_json() == await first.get_json()
    assert other.status_code == 422


class DownPublisher:
    name = "ecb"

    async def fetch(self) -> RateTable:
        raise RatesUnavailable("the publisher is down")


async def test_no_order_is_priced_with_rates_past_their_max_age(
    orion: Orion, database_url: str
) -> None:
    clock = FrozenClock()
    store = InMemoryRatesStore()
    table = RateTable(
        base="EUR", as_of=date(2024, 11, 22), source="ecb", rates={"USD": Decimal("1.0412")}
    )
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
        headers = await customer(shop)
        await put_item(client, headers, await product(shop, price=1999))

        refused = await checkout(client, headers, body={**ORDER_BODY, "currency": "USD"})
        cart = await (await client.get("/api/v1/cart", headers=headers)).get_json()
        in_eur = await checkout(client, headers)

    assert refused.status_code == 503
    assert (await refused.get_json())["type"] == "/problems/exchange-rates-unavailable"
    assert len(cart["lines"]) == 1  # the cart is untouched
    assert in_eur.status_code == 202  # the catalog's own currency needs no rate
    async with orion.engine.connect() as connection:
        placed = (await connection.execute(sa.select(orders.c.currency))).scalars().all()
    assert placed == ["EUR"]
