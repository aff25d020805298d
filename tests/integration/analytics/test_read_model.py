"""The analytics read model fed by real events through its inbox: a small shop's day (orders
paid, declined, cancelled with a refund, shipped, delivered) gives the figures counted by
hand; every event delivered again changes none; the rebuild from the other modules'
contracts gives the same, twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.analytics.contracts.commands import RebuildAnalytics
from orion.modules.analytics.contracts.queries import GetOverview, Overview
from orion.modules.catalog.contracts.commands import SeedDemoCatalog  # noqa: F401
from tests.conftest import Client
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
    settle,
)


def body(token: str) -> dict[str, Any]:
    return {**ORDER_BODY, "payment": {"token": token}}


async def overview(orion: Orion, on: date) -> Overview:
    return await orion.mediator.ask(GetOverview(start=on, end=on, currency="EUR", top=3))


async def redeliver_everything(orion: Orion) -> None:
    """As if every relay died before marking its rows: every event published again."""
    async with orion.engine.begin() as connection:
        for outbox in orion.outboxes.values():
            await connection.execute(outbox.update().values(published_at=None))
    await settle(orion)


async def a_day_of_trade(client: Client, orion: Orion, admin: dict[str, str]) -> None:
    """Two customers; pen 12.50, ink 3.00 (stock 6). Ada: 2 pens paid and shipped and
    delivered; 1 ink paid then cancelled (refunded). Bob: 1 pen + 2 inks paid; 1 ink
    declined (card), 1 pen declined (funds)."""
    await orion.start_consumers()
    pen = await product(orion, price=1_250, stock=100, name="Pen")
    ink = await product(orion, price=300, stock=6, name="Ink")
    ada, bob = await customer(orion), await customer(orion)

    async def order(who: dict[str, str], lines: list[tuple[Any, int]], token: str) -> str:
        for product_id, quantity in lines:
            assert (await put_item(client, who, product_id, quantity)).status_code == 200
        response = await checkout(client, who, body=body(token))
        assert response.status_code == 202, await response.get_data(as_text=True)
        await settle(orion)
        return str((await response.get_json())["id"])

    delivered = await order(ada, [(pen, 2)], "tok_visa")
    refunded = await order(ada, [(ink, 1)], "tok_visa")
    await order(bob, [(pen, 1), (ink, 2)], "tok_visa")
    await order(bob, [(ink, 1)], "tok_declined")
    await order(bob, [(pen, 1)], "tok_insufficient_funds")
    for path in (f"{delivered}/ship", f"{delivered}/deliver", f"{refunded}/cancel"):
        response = await client.post(f"/api/v1/admin/orders/{path}", headers=admin, json={})
        assert response.status_code == 200, await response.get_data(as_text=True)
        await settle(orion)


async def test_the_figures_of_a_day_of_trade_exact_under_redelivery_and_rebuilt(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    await a_day_of_trade(client, orion, admin)
    today = datetime.now(UTC).date()
    seen = await overview(orion, today)

    kpis = seen.kpis
    assert kpis.orders == 5
    assert kpis.gross == 2_500 + 300 + 1_850
    assert {type(amount) for amount in (kpis.gross, kpis.refunds, kpis.net)} == {int}
    assert kpis.refunds == 300
    assert kpis.net == 2_500 + 1_850
    assert kpis.paid_orders == 3
    assert kpis.average_order_value == 1_550  # (2500 + 300 + 1850) / 3
    assert kpis.cancelled == 3  # two declined, one by the admin
    assert kpis.payment_failures == 2
    assert kpis.new_customers == 2
    assert kpis.active_customers == 2
    assert seen.previous.orders == 0
    (day,) = seen.days
    assert day.orders_by_status == {
        "pending": 0,
        "awaiting_payment": 0,
        "paid": 1,
        "shipped": 0,
        "delivered": 1,
        "cancelled": 3,
    }
    assert (day.gross, day.refunds, day.net) == (4_650, 300, 4_350)
    assert (seen.funnel.placed, seen.funnel.paid, seen.funnel.shipped, seen.funnel.delivered) == (
        5,
        3,
        1,
        1,
    )
    assert seen.cancelled_by_reason == {"payment_declined": 2, "admin_request": 1}
    assert seen.failures_by_code == {"card_declined": 1, "insufficient_funds": 1}
    assert [(p.name, p.units, p.revenue) for p in seen.top_by_revenue] == [
        ("Pen", 3, 3_750),
        ("Ink", 2, 600),
    ]
    assert [(p.name, p.units) for p in seen.top_by_units] == [("Pen", 3), ("Ink", 2)]
    # ink: 6 - 1 (refunded order, released) + 1 - 2 (Bob) - 1 (declined, released) + 1 = 4
    assert [(p.name, p.stock) for p in seen.low_stock] == [("Ink", 4)]

    await redeliver_everything(orion)
    assert await overview(orion, today) == seen

    async with orion.engine.begin() as connection:  # the read model lost
        await connection.exec_driver_sql("TRUNCATE analytics.orders, analytics.products")
    assert await overview(orion, today) != seen
    rebuilt = await orion.mediator.send(RebuildAnalytics())
    assert (rebuilt.orders, rebuilt.payments, rebuilt.customers) == (5, 5, 2)
    assert await overview(orion, today) == seen
    await orion.mediator.send(RebuildAnalytics())
    assert await overview(orion, today) == seen


async def test_events_delivered_again_after_a_rebuild_change_nothing(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    await a_day_of_trade(client, orion, admin)
    await orion.mediator.send(RebuildAnalytics())
    today = datetime.now(UTC).date()
    seen = await overview(orion, today)
    await redeliver_everything(orion)
    assert await overview(orion, today) == seen
    async with orion.engine.connect() as connection:
        handled = await connection.scalar(sa.text("SELECT count(*) FROM analytics.inbox"))
    assert handled > 0
