"""Checkout over HTTP: the order takes the cart at the catalog's prices, once per
Idempotency-Key, and only its customer can see or cancel it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from dependency_injector import providers
from sqlalchemy.ext.asyncio import AsyncConnection

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import (
    cart_items,
    idempotency_keys,
    orders,
    outbox,
)
from orion.modules.ordering.adapters.sql.unit_of_work import SqlOrderingUnitOfWork
from orion.modules.ordering.application.commands import CleanUp
from tests.conftest import Client
from tests.integration.ordering.helpers import (
    ADDRESS,
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
)


async def test_checkout_places_a_pending_order_at_catalog_prices(
    client: Client, orion: Orion
) -> None:
    headers = await customer(orion, "ada@example.com")
    pen, ink = await product(orion, price=250, name="Pen"), await product(orion, price=1_199)
    await put_item(client, headers, pen, quantity=2)
    await put_item(client, headers, ink, quantity=1)

    response = await checkout(client, headers)
    assert response.status_code == 202
    order = await response.get_json()
    assert response.headers["Location"] == f"/api/v1/orders/{order['id']}"
    assert order["status"] == "pending"
    assert order["number"].startswith("ORN-")
    assert order["total"] == {"amount": 2 * 250 + 1_199, "currency": "EUR"}
    assert next((line["name"], line["quantity"]) for line in order["lines"]) == ("Pen", 2)
    assert order["customer_email"] == "ada@example.com"
    assert order["shipping_address"] == {**ADDRESS, "line2": ""}
    assert [change["status"] for change in order["history"]] == ["pending"]
    assert "payment" not in order
    assert "tok_visa" not in str(order)

    cart = await (await client.get("/api/v1/cart", headers=headers)).get_json()
    assert cart["lines"] == []  # emptied in the order's transaction
    async with orion.engine.connect() as connection:
        events = (await connection.execute(sa.select(outbox.c.type, outbox.c.payload))).all()
    assert [type_ for type_, _ in events] == ["ordering.order_placed.v1"]
    assert events[0].payload["total_amount"] == 1_699
    fetched = await (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).get_json()
    assert fetched.pop("payment") is None  # no payments worker runs here
    assert fetched == order


async def test_a_client_sent_price_or_total_has_no_effect(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion, price=5_000))
    for forged in (
        {**ORDER_BODY, "total": {"amount": 1, "currency": "EUR"}},
        {**ORDER_BODY, "lines": [{"unit_price": 1}]},
        {**ORDER_BODY, "payment": {"token": "tok_visa", "amount": 1}},
    ):
        refused = await checkout(client, headers, body=forged)
        assert refused.status_code == 422  # refused outright, naming the field
    placed = await (await checkout(client, headers)).get_json()
    assert placed["total"] == {"amount": 5_000, "currency": "EUR"}
    async with orion.engine.connect() as connection:
        totals = (await connection.execute(sa.select(orders.c.total_amount))).scalars().all()
    assert totals == [5_000]


async def test_twenty_concurrent_requests_with_one_key_place_one_order(
    client: Client, orion: Orion
) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion), quantity=2)
    key = str(uuid.uuid4())

    responses = await asyncio.gather(*(checkout(client, headers, key) for _ in range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {202, 409}, statuses
    bodies = [await r.get_json() for r in responses if r.status_code == 202]
    assert bodies
    assert all(body == bodies[0] for body in bodies)
    in_flight = [await r.get_json() for r in responses if r.status_code == 409]
    assert all(problem["type"].endswith("/idempotency-key-in-use") for problem in in_flight)

    replay = await checkout(client, headers, key)  # later, still the same answer
    assert replay.status_code == 202
    assert await replay.get_json() == bodies[0]
    assert replay.headers["Idempotent-Replayed"] == "true"
    async with orion.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(orders)) == 1
        assert await connection.scalar(sa.select(sa.func.count()).select_from(outbox)) == 1

    other_body = {**ORDER_BODY, "payment": {"token": "tok_other"}}
    reused = await checkout(client, headers, key, body=other_body)
    assert reused.status_code == 422
    assert (await reused.get_json())["type"].endswith("/idempotency-key-reused")


async def test_keys_belong_to_their_customer_and_are_forgotten_after_their_ttl(
    client: Client, orion: Orion
) -> None:
    ada, bob = await customer(orion), await customer(orion)
    pen = await product(orion)
    for headers in (ada, bob):
        await put_item(client, headers, pen)
    key = "shared-key"
    first, second = await checkout(client, ada, key), await checkout(client, bob, key)
    assert first.status_code == second.status_code == 202
    assert (await first.get_json())["id"] != (await second.get_json())["id"]
    async with orion.engine.connect() as connection:
        kept = await connection.scalar(sa.select(sa.func.count()).select_from(idempotency_keys))
    assert kept == 2


async def test_checkout_needs_a_key_a_cart_and_products_for_sale(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    headers = await customer(orion)
    missing_key = await client.post("/api/v1/orders", json=ORDER_BODY, headers=headers)
    assert missing_key.status_code == 428
    assert (await missing_key.get_json())["type"].endswith("/idempotency-key-required")
    too_long = await checkout(client, headers, key="k" * 256)
    assert too_long.status_code == 422
    empty = await checkout(client, headers)
    assert empty.status_code == 422
    assert (await empty.get_json())["type"].endswith("/cart-empty")
    anonymous = await client.post(
        "/api/v1/orders", json=ORDER_BODY, headers={"Idempotency-Key": "k"}
    )
    assert anonymous.status_code == 401
    bad_country = {**ORDER_BODY, "shipping_address": {**ADDRESS, "country": "gb"}}
    assert (await checkout(client, headers, body=bad_country)).status_code == 422

    pen = await product(orion)
    await put_item(client, headers, pen)
    await client.delete(f"/api/v1/admin/products/{pen}", headers=admin)
    gone = await checkout(client, headers)
    assert gone.status_code == 409
    assert (await gone.get_json())["type"].endswith("/products-unavailable")


async def test_another_customer_gets_404_for_an_order_and_its_cancel(
    client: Client, orion: Orion
) -> None:
    ada, bob = await customer(orion), await customer(orion)
    await put_item(client, ada, await product(orion))
    order = await (await checkout(client, ada)).get_json()
    for response in (
        await client.get(f"/api/v1/orders/{order['id']}", headers=bob),
        await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=bob),
    ):
        assert response.status_code == 404
        assert (await response.get_json())["type"].endswith("/order-not-found")
    assert (await (await client.get("/api/v1/orders", headers=bob)).get_json())["items"] == []
    mine = await client.get(f"/api/v1/orders/{order['id']}", headers=ada)
    assert (await mine.get_json())["status"] == "pending"  # Bob's cancel changed nothing


async def test_keys_are_kept_for_their_ttl_then_forgotten(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))
    assert (await checkout(client, headers, key="kept")).status_code == 202
    clean_up = CleanUp(guest_cart_ttl=timedelta(days=30), idempotency_key_ttl=timedelta(hours=24))
    assert (await orion.mediator.send(clean_up)).idempotency_keys == 0
    replay = await checkout(client, headers, key="kept")
    assert replay.headers["Idempotent-Replayed"] == "true"

    async with orion.engine.begin() as connection:  # a day and a bit later
        await connection.execute(
            idempotency_keys.update().values(created_at=sa.func.now() - timedelta(hours=25))
        )
    assert (await orion.mediator.send(clean_up)).idempotency_keys == 1
    forgotten = await checkout(client, headers, key="kept")  # a new request now: empty cart
    assert forgotten.status_code == 422
    assert (await forgotten.get_json())["type"].endswith("/cart-empty")


class MissesTheTwin(SqlOrderingUnitOfWork):
    """Its claim recalls nothing, as when a twin request committed after the claim
    statement's snapshot was taken and before its lock was: the one window the claim's
    single statement leaves."""

    def _open(self, connection: AsyncConnection) -> None:
        super()._open(connection)
        claim = self.idempotency.claim

        async def blind_claim(customer_id: uuid.UUID, key: str) -> tuple[bool, None]:
            claimed, _ = await claim(customer_id, key)
            return claimed, None

        self.idempotency.claim = blind_claim  # type: ignore[method-assign]


@pytest.mark.parametrize("refilled", [False, True], ids=["cart-emptied", "cart-refilled"])
async def test_a_twin_the_claim_did_not_see_is_replayed_not_repeated(
    client: Client, orion: Orion, refilled: bool
) -> None:
    """The order then finds the cart the twin emptied or, refilled since, the key kept when
    it would keep its own response: either way it recalls again and replays."""
    headers = await customer(orion)
    pen = await product(orion)
    await put_item(client, headers, pen, quantity=2)
    key = str(uuid.uuid4())
    first = await checkout(client, headers, key)
    assert first.status_code == 202
    if refilled:
        await put_item(client, headers, pen, quantity=1)

    with orion.modules["ordering"].container.uow.override(
        providers.Factory(MissesTheTwin, orion.engine)
    ):
        again = await checkout(client, headers, key)

    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await again.get_json() == await first.get_json()
    async with orion.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(orders)) == 1
        assert await connection.scalar(sa.select(sa.func.count()).select_from(outbox)) == 1
        lines = await connection.scalar(sa.select(sa.func.count()).select_from(cart_items))
    assert lines == (1 if refilled else 0)  # the refilled cart is left as it was
