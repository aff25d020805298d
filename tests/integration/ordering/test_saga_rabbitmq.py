"""The order saga on RabbitMQ: 50 customers check out the last 10 units at once. The relay
and every module's consumers run as in `orion serve`; exactly 10 orders get the stock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import products
from orion.modules.ordering.adapters.sql.tables import order_history, order_summaries
from tests.conftest import shop_settings
from tests.integration.messaging.conftest import broker_url, delete_topology, orion_queues
from tests.integration.ordering.helpers import checkout, customer, product, put_item

SETTLED_WITHIN_S = 60  # a deadline, not a timing: a loaded CI machine is slow
DELAYS_MS = [100, 300]
__all__ = ["broker_url"]  # the fixture, shared with the messaging tests


@pytest.fixture
async def shop(orion: Orion, database_url: str, broker_url: str) -> AsyncIterator[Orion]:
    """An Orion on RabbitMQ with its relay and consumers running (``orion`` emptied the
    tables)."""
    for queue in orion_queues():
        await delete_topology(broker_url, queue, DELAYS_MS)
    shop = Orion(
        shop_settings(broker_url=SecretStr(broker_url), retry_delays_ms=DELAYS_MS),
        database_url,
    )
    await shop.start_consumers()
    stop = asyncio.Event()
    relay = asyncio.create_task(shop.relay().run(stop))
    try:
        yield shop
    finally:
        stop.set()
        await relay
        await shop.stop_consumers()
        await shop.aclose()
        for queue in orion_queues():
            await delete_topology(broker_url, queue, DELAYS_MS)


async def test_fifty_concurrent_checkouts_of_ten_units_sell_exactly_ten(shop: Orion) -> None:
    last_ten = await product(shop, stock=10)
    # the app closes the shop's connections when it stops: it serves until the end
    async with shop.create_app().test_app() as app:
        client = app.test_client()
        customers = [await customer(shop) for _ in range(50)]
        for headers in customers:
            assert (await put_item(client, headers, last_ten)).status_code == 200
        responses = await asyncio.gather(*(checkout(client, headers) for headers in customers))
        assert [response.status_code for response in responses] == [202] * 50
        statuses = await settled(shop)

    assert statuses == {"paid": 10, "cancelled": 40}  # payments runs too: good cards pay
    async with shop.engine.connect() as connection:
        left = await connection.scalar(sa.select(products.c.stock).where(products.c.id == last_ten))
        reasons = (
            await connection.execute(
                sa.select(order_history.c.reason).where(order_history.c.status == "cancelled")
            )
        ).scalars()
        assert set(reasons) == {"out_of_stock"}
        reserved = await connection.scalar(
            sa.select(sa.func.count()).where(order_history.c.status == "awaiting_payment")
        )
        assert reserved == 10
    assert left == 0  # and the catalog's CHECK (stock >= 0) refuses anything below


async def settled(shop: Orion) -> dict[str, int]:
    """Order counts by status once none is pending or awaiting payment (or the bound is
    reached)."""
    deadline = time.monotonic() + SETTLED_WITHIN_S
    while True:
        async with shop.engine.connect() as connection:
            statuses = dict(
                (
                    await connection.execute(
                        sa.select(order_summaries.c.status, sa.func.count()).group_by(
                            order_summaries.c.status
                        )
                    )
                ).all()
            )
        settled = not {"pending", "awaiting_payment"} & set(statuses)
        if settled or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.2)
