"""A cart in the customer's currency (``?currency=``): each unit price converted and
rounded, then multiplied, as a checkout in it would charge; beside the base prices."""

from __future__ import annotations

from orion.bootstrap import Orion
from tests.conftest import Client
from tests.integration.ordering.helpers import customer, product, put_item


async def test_a_cart_shows_its_lines_and_total_converted(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    mug = await product(orion, price=1999)
    pen = await product(orion, price=15)
    await put_item(client, headers, mug, quantity=2)
    await put_item(client, headers, pen, quantity=3)

    response = await client.get("/api/v1/cart?currency=JPY", headers=headers)

    assert response.status_code == 200
    body = await response.get_json()
    assert body["total"] == {"amount": 4043, "currency": "EUR"}
    converted = body["converted"]
    assert [(line["unit_price"], line["line_total"]) for line in converted["lines"]] == [
        ({"amount": 2760, "currency": "JPY"}, {"amount": 5520, "currency": "JPY"}),
        ({"amount": 21, "currency": "JPY"}, {"amount": 63, "currency": "JPY"}),  # 20.7075
    ]
    assert converted["total"] == {"amount": 5583, "currency": "JPY"}
    assert converted["rate"] == "138.05"
    assert (converted["source"], converted["as_of"], converted["stale"]) == (
        "static",
        "2022-07-08",
        False,
    )


async def test_a_cart_without_a_currency_shows_no_conversion(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))

    body = await (await client.get("/api/v1/cart", headers=headers)).get_json()

    assert "converted" not in body


async def test_a_cart_in_a_currency_without_rates_is_refused(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))

    response = await client.get("/api/v1/cart?currency=KWD", headers=headers)

    assert response.status_code == 422
    assert (await response.get_json())["type"] == "/problems/unsupported-currency"
