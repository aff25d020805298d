"""The whole payment flow against a real provider on loopback that misbehaves: every order
is charged exactly once at the provider, whatever it does (in-process saga, real
PostgreSQL; the HTTP gateway with its retries and breaker, as configured in production)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.modules.payments.adapters.sql.tables import payments
from tests.conftest import shop_settings
from tests.fakes.provider import (
    API_KEY,
    CHARGE_THEN_DROP,
    HANG,
    FakeProvider,
    answer,
    fake_provider,
)
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
    settle,
)

READ_TIMEOUT_S = 0.5


@pytest.fixture
async def provider() -> AsyncIterator[FakeProvider]:
    async with fake_provider() as running:
        yield running


@pytest.fixture
async def shop(orion: Orion, database_url: str, provider: FakeProvider) -> AsyncIterator[Orion]:
    """An Orion charging through the HTTP gateway (``orion`` emptied the tables)."""
    shop = Orion(
        shop_settings(
            payment_gateway="http",
            payment_provider_url=provider.url,
            payment_provider_key=SecretStr(API_KEY),
            payment_read_timeout_s=READ_TIMEOUT_S,
            payment_retry_budget_s=10,
            payment_breaker_threshold=20,
        ),
        database_url,
    )
    await shop.start_consumers()
    try:
        yield shop
    finally:
        await shop.aclose()


async def place_and_settle(shop: Orion, card: str = "tok_visa") -> dict[str, Any]:
    async with shop.create_app().test_app() as app:
        client = app.test_client()
        headers = await customer(shop)
        await put_item(client, headers, await product(shop, price=4_200))
        body = {**ORDER_BODY, "payment": {"token": card}}
        placed = await (await checkout(client, headers, body=body)).get_json()
        await settle(shop)
        response = await client.get(f"/api/v1/orders/{placed['id']}", headers=headers)
        order: dict[str, Any] = await response.get_json()
    return order


async def charged_once(shop: Orion, provider: FakeProvider) -> None:
    async with shop.engine.connect() as connection:
        payment_id = await connection.scalar(sa.select(payments.c.id))
    assert provider.charges_made == {f"charge-{payment_id}": 1}


async def test_two_500s_then_success_make_one_charge(shop: Orion, provider: FakeProvider) -> None:
    provider.next_charges(answer(500), times=2)
    order = await place_and_settle(shop)
    assert order["status"] == "paid"
    assert len(provider.calls_to("POST", "/v1/charges")) == 3
    await charged_once(shop, provider)


async def test_retry_after_is_honoured(shop: Orion, provider: FakeProvider) -> None:
    provider.next_charges(answer(429, retry_after="2"))
    order = await place_and_settle(shop)
    assert order["status"] == "paid"
    first, second = provider.calls_to("POST", "/v1/charges")
    assert second.at - first.at >= 2.0
    await charged_once(shop, provider)


async def test_a_hanging_provider_times_out_and_the_retry_makes_no_second_charge(
    shop: Orion, provider: FakeProvider
) -> None:
    provider.next_charges(HANG)  # it charges, then never answers
    order = await place_and_settle(shop)
    assert order["status"] == "paid"
    calls = provider.calls_to("POST", "/v1/charges")
    assert len(calls) == 2
    assert calls[0].key == calls[1].key
    await charged_once(shop, provider)


async def test_a_charge_whose_answer_is_dropped_is_recorded_once(
    shop: Orion, provider: FakeProvider
) -> None:
    provider.next_charges(CHARGE_THEN_DROP)
    order = await place_and_settle(shop)
    assert order["status"] == "paid"
    assert order["payment"]["status"] == "captured"
    await charged_once(shop, provider)


async def test_a_decline_is_not_retried(shop: Orion, provider: FakeProvider) -> None:
    order = await place_and_settle(shop, "tok_insufficient_funds")
    assert order["status"] == "cancelled"
    assert order["payment"]["failure_reason"] == "insufficient_funds"
    assert len(provider.calls_to("POST", "/v1/charges")) == 1
