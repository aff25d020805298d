"""ADR 40: past ``ORION_CHECKOUT_MAX_UNSETTLED`` orders waiting for the saga, checkout
answers 503 problem+json with Retry-After and takes nothing; every order it did take is
settled, and once the saga has caught up the refused request goes through."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from orion.modules.ordering.adapters.sql.tables import order_summaries, orders
from tests.conftest import Shop
from tests.integration.ordering.helpers import checkout, customer, product, put_item, settle

BOUND = 2


async def test_past_the_bound_checkout_answers_503_and_loses_no_order(shop: Shop) -> None:
    async with shop(checkout_max_unsettled=BOUND, checkout_backlog_refresh_s=0) as (  # no cache
        orion,
        client,
    ):
        await orion.start_consumers()  # the in-process broker: they run as the relay delivers
        headers = await customer(orion)
        pen = await product(orion, stock=10)
        taken = []
        for _ in range(BOUND):  # no relay runs: each order stays pending
            await put_item(client, headers, pen)
            placed = await checkout(client, headers)
            assert placed.status_code == 202
            taken.append((await placed.get_json())["id"])
        await put_item(client, headers, pen)
        key = str(uuid.uuid4())

        refused = await checkout(client, headers, key)

        assert refused.status_code == 503
        assert refused.content_type == "application/problem+json"
        assert (await refused.get_json())["type"] == "/problems/checkout-busy"
        assert int(refused.headers["Retry-After"]) >= 1
        cart = await (await client.get("/api/v1/cart", headers=headers)).get_json()
        assert len(cart["lines"]) == 1  # nothing was taken from the cart
        ops = orion.create_ops_app(shared_state=True).test_client()
        metrics = (await (await ops.get("/metrics")).get_data()).decode()
        assert f"orion_orders_unsettled {BOUND}.0" in metrics
        assert f"orion_orders_unsettled_bound {BOUND}.0" in metrics

        await settle(orion)  # the saga catches up: stock reserved, payment captured
        again = await checkout(client, headers, key)

        assert again.status_code == 202
        await settle(orion)
        async with orion.engine.connect() as connection:
            summaries = sa.select(order_summaries.c.id, order_summaries.c.status)
            statuses = {row.id: row.status for row in await connection.execute(summaries)}
            count = await connection.scalar(sa.select(sa.func.count()).select_from(orders))
        assert count == BOUND + 1
        assert set(statuses.values()) == {"paid"}
        assert {uuid.UUID(order_id) for order_id in taken} <= set(statuses)
