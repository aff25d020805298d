"""The order history (the ``order_summaries`` read model): each filter and sort returns
exactly the expected orders, in order, across pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import order_summaries
from tests.conftest import Client
from tests.integration.ordering.helpers import checkout, customer, product, put_item

DAY0 = datetime(2026, 5, 1, tzinfo=UTC)
# name, unit price, quantity, days after DAY0, final status
ORDERS = [
    ("Blue Pen", 300, 1, 0, "pending"),
    ("Red Notebook", 1_500, 2, 1, "cancelled"),
    ("Blue Ink", 700, 1, 2, "pending"),
    ("Green Pen", 300, 5, 3, "cancelled"),
    ("Desk Lamp", 4_500, 1, 4, "pending"),
    ("Pen Case", 900, 1, 5, "pending"),
    ("Stapler", 1_200, 1, 6, "cancelled"),
]


async def pages(client: Client, path: str, headers: dict[str, str], **params: Any) -> list[dict]:
    """Every page of a list, two items at a time."""
    items: list[dict] = []
    cursor = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, query_string=query, headers=headers)
        assert response.status_code == 200, await response.get_data(as_text=True)
        page = await response.get_json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@pytest.fixture
async def history(client: Client, orion: Orion) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Ada's seven orders (and one of Bob's), with known totals, dates and statuses."""
    ada = await customer(orion, "ada@example.com")
    placed = []
    for name, price, quantity, day, status in ORDERS:
        await put_item(client, ada, await product(orion, price=price, name=name), quantity)
        order = await (await checkout(client, ada)).get_json()
        if status == "cancelled":
            await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=ada)
        async with orion.engine.begin() as connection:
            await connection.execute(
                order_summaries.update()
                .where(order_summaries.c.id == order["id"])
                .values(placed_at=DAY0 + timedelta(days=day))
            )
        placed.append(
            {
                "id": order["id"],
                "number": order["number"],
                "name": name,
                "total": price * quantity,
                "placed_at": DAY0 + timedelta(days=day),
                "status": status,
            }
        )
    bob = await customer(orion, "bob@example.com")
    await put_item(client, bob, await product(orion, price=300, name="Blue Pen"))
    await checkout(client, bob)
    return ada, placed


def ids(orders: list[dict[str, Any]]) -> list[str]:
    return [order["id"] for order in orders]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({}, lambda o: True),
        ({"status": "cancelled"}, lambda o: o["status"] == "cancelled"),
        ({"status": "pending,cancelled"}, lambda o: True),
        ({"status": ["pending", "paid"]}, lambda o: o["status"] == "pending"),
        ({"created_from": "2026-05-02T00:00:00+00:00"}, lambda o: o["placed_at"].day >= 2),
        (
            {"created_from": "2026-05-02T00:00:00Z", "created_to": "2026-05-05T00:00:00Z"},
            lambda o: 2 <= o["placed_at"].day < 5,
        ),
        ({"min_total": 1_200, "max_total": 3_000}, lambda o: 1_200 <= o["total"] <= 3_000),
        ({"q": "pen"}, lambda o: "pen" in o["name"].lower()),
        ({"q": "blue", "status": "pending"}, lambda o: "Blue" in o["name"]),
    ],
)
async def test_filters_return_exactly_the_matching_orders_newest_first(
    client: Client,
    history: tuple[dict[str, str], list[dict[str, Any]]],
    params: dict[str, Any],
    keep: Any,
) -> None:
    ada, placed = history
    expected = sorted(
        (order for order in placed if keep(order)), key=lambda o: o["placed_at"], reverse=True
    )
    assert ids(await pages(client, "/api/v1/orders", ada, **params)) == ids(expected)


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "total", "-total", "status"])
async def test_sorts_hold_across_pages(
    client: Client, history: tuple[dict[str, str], list[dict[str, Any]]], sort: str
) -> None:
    ada, placed = history
    field = {"created_at": "placed_at", "total": "total", "status": "status"}[sort.lstrip("-")]
    expected = sorted(placed, key=lambda o: (o[field], o["id"]), reverse=sort.startswith("-"))
    assert ids(await pages(client, "/api/v1/orders", ada, sort=sort)) == ids(expected)


async def test_an_order_number_finds_its_order(
    client: Client, history: tuple[dict[str, str], list[dict[str, Any]]]
) -> None:
    ada, placed = history
    found = await pages(client, "/api/v1/orders", ada, q=placed[3]["number"])
    assert ids(found) == [placed[3]["id"]]


async def test_admins_see_everyone_and_filter_by_email(
    client: Client,
    history: tuple[dict[str, str], list[dict[str, Any]]],
    admin: dict[str, str],
) -> None:
    _, placed = history
    everyone = await pages(client, "/api/v1/admin/orders", admin)
    assert len(everyone) == len(placed) + 1
    bobs = await pages(client, "/api/v1/admin/orders", admin, email="BOB@example.com")
    assert [order["customer_email"] for order in bobs] == ["bob@example.com"]
    pens = await pages(client, "/api/v1/admin/orders", admin, q="Blue Pen")
    assert len(pens) == 2


async def test_bad_queries_get_422(client: Client, orion: Orion) -> None:
    headers = await customer(orion)
    for params in (
        {"status": "lost"},
        {"sort": "price"},
        {"limit": 101},
        {"cursor": "garbage"},
        {"created_from": "2026-05-01T00:00:00"},  # no timezone
        {"min_total": -1},
    ):
        response = await client.get("/api/v1/orders", query_string=params, headers=headers)
        assert response.status_code == 422, params


async def test_the_summary_follows_each_move(
    client: Client, orion: Orion, history: tuple[dict[str, str], list[dict[str, Any]]]
) -> None:
    ada, placed = history
    await client.post(f"/api/v1/orders/{placed[0]['id']}/cancel", headers=ada)
    async with orion.engine.connect() as connection:
        status = await connection.scalar(
            sa.select(order_summaries.c.status).where(order_summaries.c.id == placed[0]["id"])
        )
    assert status == "cancelled"
