"""Carts over HTTP: guests by token, customers by account, merge once, prices from the
catalog, limits, and the clean-up of forgotten guest carts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import UpdateProduct
from orion.modules.ordering.adapters.sql.tables import cart_items, carts
from orion.modules.ordering.application.commands import CleanUp
from orion.modules.ordering.application.handlers.carts import token_hash
from tests.conftest import Client, shop_settings
from tests.integration.ordering.helpers import customer, product, put_item


async def new_guest_cart(client: Client) -> str:
    response = await client.post("/api/v1/carts")
    assert response.status_code == 201
    body = await response.get_json()
    assert body["lines"] == []
    assert body["total"] is None
    token: str = body["token"]
    return token


async def test_a_guest_cart_is_reached_by_its_token_only(client: Client, orion: Orion) -> None:
    token = await new_guest_cart(client)
    pen = await product(orion, price=250)
    response = await put_item(client, {"X-Cart-Token": token}, pen, quantity=3)
    assert response.status_code == 200
    cart = await response.get_json()
    assert [(line["quantity"], line["line_total"]) for line in cart["lines"]] == [
        (3, {"amount": 750, "currency": "EUR"})
    ]
    assert cart["total"] == {"amount": 750, "currency": "EUR"}
    assert cart["item_count"] == 3
    assert "token" not in cart

    assert (await client.get("/api/v1/cart")).status_code == 404
    unknown = await client.get("/api/v1/cart", headers={"X-Cart-Token": "not-a-token"})
    assert unknown.status_code == 404
    assert (await unknown.get_json())["type"].endswith("/cart-not-found")
    async with orion.engine.connect() as connection:  # only a hash of the token is kept
        stored = await connection.scalar(sa.select(carts.c.token_hash))
    assert stored is not None
    assert token.encode() not in stored


async def test_a_guest_cart_survives_a_restart(
    client: Client, orion: Orion, database_url: str
) -> None:
    token = await new_guest_cart(client)
    await put_item(client, {"X-Cart-Token": token}, await product(orion), quantity=2)

    restarted = Orion(shop_settings(), database_url)
    try:
        async with restarted.create_app().test_app() as app:
            response = await app.test_client().get("/api/v1/cart", headers={"X-Cart-Token": token})
    finally:
        await restarted.aclose()
    assert response.status_code == 200
    assert [line["quantity"] for line in (await response.get_json())["lines"]] == [2]


async def test_signing_in_with_a_guest_token_merges_that_cart_once(
    client: Client, orion: Orion
) -> None:
    shared, guest_only = await product(orion), await product(orion)
    token = await new_guest_cart(client)
    await put_item(client, {"X-Cart-Token": token}, shared, quantity=60)
    await put_item(client, {"X-Cart-Token": token}, guest_only, quantity=1)
    headers = await customer(orion)
    await put_item(client, headers, shared, quantity=50)

    merging = {**headers, "X-Cart-Token": token}
    for _ in range(2):  # the second time the guest cart is closed: nothing more
        response = await client.get("/api/v1/cart", headers=merging)
        assert response.status_code == 200
        quantities = {
            line["product_id"]: line["quantity"] for line in (await response.get_json())["lines"]
        }
        assert quantities == {str(shared): 99, str(guest_only): 1}  # 60 + 50 capped at 99
    assert (await client.get("/api/v1/cart", headers={"X-Cart-Token": token})).status_code == 404


async def test_another_customer_cannot_reach_a_cart(client: Client, orion: Orion) -> None:
    token = await new_guest_cart(client)
    await put_item(client, {"X-Cart-Token": token}, await product(orion), quantity=1)
    ada, bob = await customer(orion), await customer(orion)
    await client.get("/api/v1/cart", headers={**ada, "X-Cart-Token": token})  # Ada merges it
    bobs = await client.get("/api/v1/cart", headers={**bob, "X-Cart-Token": token})
    assert (await bobs.get_json())["lines"] == []  # the token is spent: Bob gets nothing


async def test_lines_show_current_prices_and_flag_what_cannot_be_bought(
    client: Client, orion: Orion
) -> None:
    headers = await customer(orion)
    kept, withdrawn = await product(orion, price=100), await product(orion, price=200, stock=1)
    await put_item(client, headers, kept, quantity=2)
    await put_item(client, headers, withdrawn, quantity=3)
    await orion.mediator.send(UpdateProduct(product_id=kept, expected_version=1, price_amount=150))
    await orion.mediator.send(UpdateProduct(product_id=withdrawn, expected_version=1, active=False))

    cart = await (await client.get("/api/v1/cart", headers=headers)).get_json()
    lines = {line["product_id"]: line for line in cart["lines"]}
    assert lines[str(kept)]["unit_price"] == {"amount": 150, "currency": "EUR"}
    assert lines[str(kept)]["available"]
    assert lines[str(kept)]["in_stock"]
    assert not lines[str(withdrawn)]["available"]
    assert not lines[str(withdrawn)]["in_stock"]
    assert cart["total"] == {"amount": 300, "currency": "EUR"}  # the available lines only


async def test_quantities_lines_and_products_are_checked(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    pen = await product(orion)
    for quantity in (0, 100, -1):
        response = await put_item(client, headers, pen, quantity=quantity)
        assert response.status_code == 422
    missing = await put_item(client, headers, uuid.uuid4())
    assert missing.status_code == 404
    assert (await missing.get_json())["type"].endswith("/product-not-found")
    priced = await client.put(
        f"/api/v1/cart/items/{pen}", json={"quantity": 1, "price": 1}, headers=headers
    )
    assert priced.status_code == 422  # a client does not set prices

    ids = [await product(orion) for _ in range(100)]
    for product_id in ids:
        assert (await put_item(client, headers, product_id)).status_code == 200
    full = await put_item(client, headers, pen)
    assert full.status_code == 409
    assert (await full.get_json())["type"].endswith("/cart-full")

    removed = await client.delete(f"/api/v1/cart/items/{ids[0]}", headers=headers)
    assert len((await removed.get_json())["lines"]) == 99
    assert (await client.delete("/api/v1/cart", headers=headers)).status_code == 204
    assert (await (await client.get("/api/v1/cart", headers=headers)).get_json())["lines"] == []


async def test_guest_carts_untouched_for_the_ttl_are_removed(client: Client, orion: Orion) -> None:
    stale, fresh = await new_guest_cart(client), await new_guest_cart(client)
    await put_item(client, {"X-Cart-Token": stale}, await product(orion))
    headers = await customer(orion)
    await client.get("/api/v1/cart", headers=headers)  # a customer's cart is never removed
    async with orion.engine.begin() as connection:
        await connection.execute(
            carts.update()
            .where(carts.c.token_hash != token_hash(fresh))
            .values(updated_at=sa.func.now() - timedelta(days=31))
        )
    cleaned = await orion.mediator.send(
        CleanUp(guest_cart_ttl=timedelta(days=30), idempotency_key_ttl=timedelta(hours=24))
    )
    assert cleaned.guest_carts == 1
    async with orion.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(cart_items)) == 0
    assert (await client.get("/api/v1/cart", headers={"X-Cart-Token": stale})).status_code == 404
    assert (await client.get("/api/v1/cart", headers={"X-Cart-Token": fresh})).status_code == 200
    assert (await client.get("/api/v1/cart", headers=headers)).status_code == 200
