"""Search, filters, sorts and cursor pagination on the real PostgreSQL server."""

from __future__ import annotations

from typing import Any

import pytest

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct
from tests.conftest import Client

PRODUCTS = [
    # sku, name, category, price, stock
    ("A-1", "Alpine tent", "Outdoors", 24900, 2),
    ("A-2", "Bamboo board", "Home", 2400, 0),
    ("A-3", "Cotton towel", "Home", 2500, 9),
    ("A-4", "Denim jeans", "Apparel", 7900, 4),
    ("A-5", "Espresso cup", "Home", 900, 0),
    ("A-6", "Fleece jacket", "Apparel", 7900, 1),
    ("A-7", "Glass jar 100% recycled", "Home", 1200, 3),
]


@pytest.fixture
async def catalog(orion: Orion) -> None:
    for sku, name, category, price, stock in PRODUCTS:
        await orion.mediator.send(
            CreateProduct(
                sku=sku,
                name=name,
                description=f"The {name.lower()}.",
                category=category,
                price_amount=price,
                price_currency="EUR",
                stock=stock,
            )
        )


async def all_pages(
    client: Client, query: str, limit: int = 2, cursor: str | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url = f"/api/v1/products?limit={limit}&{query}"
    for _ in range(50):
        response = await client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, await response.get_data(as_text=True)
        page = await response.get_json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name", ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7"]),
        ("sort=-name", ["A-7", "A-6", "A-5", "A-4", "A-3", "A-2", "A-1"]),
        ("sort=price", ["A-5", "A-7", "A-2", "A-3", "A-4", "A-6", "A-1"]),
        ("sort=-price", ["A-1", "A-6", "A-4", "A-3", "A-2", "A-7", "A-5"]),
        ("sort=created_at", ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7"]),
        ("sort=-created_at", ["A-7", "A-6", "A-5", "A-4", "A-3", "A-2", "A-1"]),
        ("category=Home&sort=price", ["A-5", "A-7", "A-2", "A-3"]),
        ("min_price=2400&max_price=7900&sort=price", ["A-2", "A-3", "A-4", "A-6"]),
        ("in_stock=true", ["A-1", "A-3", "A-4", "A-6", "A-7"]),
        ("in_stock=false", ["A-2", "A-5"]),
        ("q=JAR", ["A-7"]),
        ("q=the%20denim", ["A-4"]),
        ("q=100%25", ["A-7"]),  # % is searched for literally, not as a wildcard
        ("q=_", []),
        ("category=Nope", []),
    ],
)
async def test_filters_and_sorts_across_pages(
    client: Client, query: str, expected: list[str]
) -> None:
    items = await all_pages(client, query)
    assert [item["sku"] for item in items] == expected


@pytest.mark.usefixtures("catalog")
async def test_pagination_is_stable_under_inserts(client: Client, orion: Orion) -> None:
    first = await (await client.get("/api/v1/products?sort=name&limit=3")).get_json()
    # products inserted before and after the cursor while a client pages
    for sku, name in (("B-1", "Aardvark plush"), ("B-2", "Zebra mug")):
        await orion.mediator.send(
            CreateProduct(
                sku=sku,
                name=name,
                description="",
                category="Home",
                price_amount=100,
                price_currency="EUR",
            )
        )
    rest = await all_pages(client, "sort=name", limit=3, cursor=first["next_cursor"])
    skus = [item["sku"] for item in first["items"] + rest]
    assert skus == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", "A-7", "B-2"]


@pytest.mark.usefixtures("catalog")
async def test_categories_count_products_on_sale(client: Client) -> None:
    body = await (await client.get("/api/v1/categories")).get_json()
    assert body["items"] == [
        {"name": "Apparel", "product_count": 2},
        {"name": "Home", "product_count": 4},
        {"name": "Outdoors", "product_count": 1},
    ]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    "query",
    [
        "cursor=garbage!",
        "cursor=WyJ4Il0",  # a list of the wrong length
        "sort=price&cursor=WyJub3QgYSBudW1iZXIiLCAiYSJd",  # ["not a number", "a"]
    ],
)
async def test_forged_cursor_gets_422(client: Client, query: str) -> None:
    response = await client.get(f"/api/v1/products?{query}")
    assert response.status_code == 422
    assert (await response.get_json())["type"] == "/problems/invalid-cursor"
