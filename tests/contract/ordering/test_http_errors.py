"""The ordering API's answers to bad input: problem+json with a stable type, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from orion.bootstrap import Orion
from tests.conftest import Client
from tests.contract.catalog.test_http_errors import problem
from tests.integration.ordering.helpers import ADDRESS, ORDER_BODY, checkout, customer, product


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"shipping_address": {**ADDRESS, "country": "France"}}, {"shipping_address.country"}),
        ({"shipping_address": {**ADDRESS, "city": ""}}, {"shipping_address.city"}),
        ({"payment": {"token": ""}}, {"payment.token"}),
        ({"payment": None}, {"payment"}),
        ({"total": {"amount": 1, "currency": "EUR"}}, {"total"}),  # prices are not the client's
    ],
)
async def test_invalid_checkout_fields_are_422_naming_them(
    client: Client, orion: Orion, change: dict[str, Any], fields: set[str]
) -> None:
    headers = await customer(orion)
    response = await checkout(client, headers, body={**ORDER_BODY, **change})
    body = await problem(response, 422, "validation-failed")
    assert {error["field"] for error in body["errors"]} == fields


async def test_cart_and_order_problems_have_stable_types(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await problem(await client.get("/api/v1/cart"), 404, "cart-not-found")
    pen = await product(orion)
    await problem(
        await client.put(f"/api/v1/cart/items/{pen}", json={"quantity": 1}), 404, "cart-not-found"
    )
    await problem(
        await client.put(f"/api/v1/cart/items/{uuid.uuid4()}", json={"quantity": 1}),
        404,
        "product-not-found",
    )
    await problem(
        await client.put(f"/api/v1/cart/items/{pen}", json={"quantity": 0}, headers=headers),
        422,
        "validation-failed",
    )
    await problem(
        await client.post("/api/v1/orders", json=ORDER_BODY, headers=headers),
        428,
        "idempotency-key-required",
    )
    await problem(await checkout(client, headers), 422, "cart-empty")
    await problem(
        await client.get(f"/api/v1/orders/{uuid.uuid4()}", headers=headers),
        404,
        "order-not-found",
    )
    await problem(await client.get("/api/v1/orders"), 401, "not-authenticated")
    await problem(await client.get("/api/v1/admin/orders", headers=headers), 403, "forbidden")
    await problem(
        await client.get("/api/v1/orders", query_string={"cursor": "x"}, headers=headers),
        422,
        "invalid-cursor",
    )
