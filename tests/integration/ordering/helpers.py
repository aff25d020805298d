"""What the ordering tests do over and over: customers, products, carts, checkouts, and
driving the outbox until the saga settles."""

from __future__ import annotations

import uuid
from typing import Any

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct
from orion.modules.identity.application.commands import LogIn, Register
from tests.conftest import Client
from tests.log_hygiene import secret

PASSWORD = secret("customer password", "a long enough passphrase")
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
ORDER_BODY = {"shipping_address": ADDRESS, "payment": {"token": secret("card token", "tok_visa")}}


async def customer(orion: Orion, email: str | None = None) -> dict[str, str]:
    """Authorization headers of a newly registered, signed-in customer."""
    email = email or f"{uuid.uuid4().hex[:10]}@example.com"
    await orion.mediator.send(Register(email=email, password=PASSWORD, full_name="Ada Lovelace"))
    pair = await orion.mediator.send(LogIn(email=email, password=PASSWORD))
    return {"Authorization": f"Bearer {pair.access_token}"}


async def product(
    orion: Orion, *, stock: int = 100, price: int = 1_000, name: str | None = None
) -> uuid.UUID:
    sku = f"SKU-{uuid.uuid4().hex[:12]}"
    view = await orion.mediator.send(
        CreateProduct(
            sku=sku,
            name=name or f"Product {sku}",
            description="",
            category="Tests",
            price_amount=price,
            price_currency="EUR",
            stock=stock,
            active=True,
        )
    )
    return view.id


async def put_item(
    client: Client, headers: dict[str, str], product_id: uuid.UUID, quantity: int = 1
) -> Any:
    return await client.put(
        f"/api/v1/cart/items/{product_id}", json={"quantity": quantity}, headers=headers
    )


async def checkout(
    client: Client,
    headers: dict[str, str],
    key: str | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    return await client.post(
        "/api/v1/orders",
        json=ORDER_BODY if body is None else body,
        headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())},
    )


async def settle(orion: Orion) -> None:
    """Relays every outbox until nothing is left: with the in-process broker each pass runs
    the consumers, whose events the next pass relays."""
    relay = orion.relay()
    while await relay.relay_once():
        pass


async def order_status(client: Client, headers: dict[str, str], order_id: str) -> str:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert response.status_code == 200, await response.get_data(as_text=True)
    status: str = (await response.get_json())["status"]
    return status
