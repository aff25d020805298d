"""An order's life through the saga (in-process broker, real PostgreSQL): stock reserved or
not, cancellations that give stock back, admin moves, and the moves that are refused."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import products
from orion.modules.ordering.adapters.sql.tables import outbox
from orion.modules.ordering.adapters.sql.unit_of_work import SqlOrderingUnitOfWork
from tests.conftest import Client
from tests.integration.ordering.helpers import (
    checkout,
    customer,
    order_status,
    product,
    put_item,
    settle,
)


async def stock(orion: Orion, product_id: uuid.UUID) -> int:
    async with orion.engine.connect() as connection:
        value = await connection.scalar(
            sa.select(products.c.stock).where(products.c.id == product_id)
        )
    assert value is not None
    return int(value)


async def mark_paid(orion: Orion, order_id: str) -> None:
    """What the payments module does (its consumers do not run in these tests, so orders
    wait in ``awaiting_payment`` until told), straight through the repository: the unit of
    work publishes what the order recorded."""
    async with SqlOrderingUnitOfWork(orion.engine) as uow:
        order = await uow.orders.get(uuid.UUID(order_id), for_update=True)
        order.paid(now=order.updated_at)
        await uow.orders.save(order)
        await uow.commit()


async def placed(
    client: Client, orion: Orion, quantity: int = 2, in_stock: int = 5
) -> tuple[dict[str, str], uuid.UUID, str]:
    await orion.start_consumers(["catalog", "ordering"])
    headers = await customer(orion)
    pen = await product(orion, stock=in_stock)
    await put_item(client, headers, pen, quantity=quantity)
    order = await (await checkout(client, headers)).get_json()
    await settle(orion)
    return headers, pen, order["id"]


async def test_reserved_stock_moves_the_order_to_awaiting_payment(
    client: Client, orion: Orion
) -> None:
    headers, pen, order_id = await placed(client, orion, quantity=2, in_stock=5)
    assert await stock(orion, pen) == 3
    order = await (await client.get(f"/api/v1/orders/{order_id}", headers=headers)).get_json()
    assert [change["status"] for change in order["history"]] == ["pending", "awaiting_payment"]
    async with orion.engine.connect() as connection:
        rows = (await connection.execute(sa.select(outbox.c.type, outbox.c.payload))).all()
    awaiting = [payload for type_, payload in rows if type_.endswith("awaiting_payment.v1")]
    assert len(awaiting) == 1
    assert awaiting[0]["payment_token"] == "tok_visa"


async def test_an_order_the_stock_cannot_cover_is_cancelled_as_out_of_stock(
    client: Client, orion: Orion
) -> None:
    headers, pen, order_id = await placed(client, orion, quantity=3, in_stock=2)
    order = await (await client.get(f"/api/v1/orders/{order_id}", headers=headers)).get_json()
    assert order["status"] == "cancelled"
    assert order["history"][-1]["reason"] == "out_of_stock"
    assert await stock(orion, pen) == 2


async def test_cancelling_gives_the_reserved_stock_back_once(client: Client, orion: Orion) -> None:
    headers, pen, order_id = await placed(client, orion, quantity=2, in_stock=5)
    cancelled = await client.post(f"/api/v1/orders/{order_id}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert (await cancelled.get_json())["history"][-1]["reason"] == "customer_request"
    await settle(orion)
    assert await stock(orion, pen) == 5
    again = await client.post(f"/api/v1/orders/{order_id}/cancel", headers=headers)
    assert again.status_code == 409
    assert (await again.get_json())["type"].endswith("/illegal-order-transition")
    await settle(orion)
    assert await stock(orion, pen) == 5


async def test_admins_ship_and_deliver_paid_orders_and_illegal_moves_get_409(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    headers, _, order_id = await placed(client, orion)
    ship = f"/api/v1/admin/orders/{order_id}/ship"
    deliver = f"/api/v1/admin/orders/{order_id}/deliver"
    assert (await client.post(ship, headers=admin)).status_code == 409  # not paid yet
    assert (await client.post(ship, headers=headers)).status_code == 403  # not an admin
    await mark_paid(orion, order_id)
    assert (await client.post(deliver, headers=admin)).status_code == 409  # not shipped yet
    assert (await client.post(ship, headers=admin)).status_code == 200
    delivered = await client.post(deliver, headers=admin)
    assert (await delivered.get_json())["status"] == "delivered"
    refused = await client.post(f"/api/v1/orders/{order_id}/cancel", headers=headers)
    assert refused.status_code == 409
    assert await order_status(client, headers, order_id) == "delivered"
    async with orion.engine.connect() as connection:
        types = (await connection.execute(sa.select(outbox.c.type))).scalars().all()
    assert sorted(types) == sorted(
        f"ordering.order_{step}.v1"
        for step in ("placed", "awaiting_payment", "paid", "shipped", "delivered")
    )


async def test_cancelling_a_paid_order_says_it_is_to_be_refunded(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    _, pen, order_id = await placed(client, orion, quantity=1, in_stock=1)
    await mark_paid(orion, order_id)
    cancelled = await client.post(f"/api/v1/admin/orders/{order_id}/cancel", headers=admin)
    assert (await cancelled.get_json())["history"][-1]["reason"] == "admin_request"
    async with orion.engine.connect() as connection:
        payload = await connection.scalar(
            sa.select(outbox.c.payload).where(outbox.c.type == "ordering.order_cancelled.v1")
        )
    assert payload["refund_due"] is True
    assert payload["previous_status"] == "paid"
    await settle(orion)
    assert await stock(orion, pen) == 1
