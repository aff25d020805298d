"""Full-text search of the catalog on the real PostgreSQL server: ranked (an exact name
first), words in any order, the last word as a prefix, web search syntax, stable cursor
pages, and facet counts that match the list."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct
from tests.conftest import Client
from tests.integration.catalog.test_browsing import all_pages

PRODUCTS = [
    # sku, name, category, description, price
    ("S-1", "Ceramic mug", "Home", "350 ml, dishwasher safe.", 1400),
    ("S-2", "Mug", "Home", "A plain one.", 1250),
    ("S-3", "Travel mug", "Outdoors", "Keeps coffee hot.", 2900),
    ("S-4", "Espresso cup", "Home", "Goes with any mug.", 900),
    ("S-5", "Running shorts", "Apparel", "Light, with a zipped pocket.", 2900),
    ("S-6", "Coffee beans", "Kitchen", "For the mugs of the morning.", 12000),
    ("S-7", "Teapot", "Kitchen", "Ceramic, one litre.", 5400),
]


@pytest.fixture
async def catalog(orion: Orion) -> None:
    for sku, name, category, description, price in PRODUCTS:
        await orion.mediator.send(
            CreateProduct(
                sku=sku,
                name=name,
                description=description,
                category=category,
                price_amount=price,
                price_currency="EUR",
                stock=5,
            )
        )


async def skus(client: Client, **params: Any) -> list[str]:
    return [item["sku"] for item in await all_pages(client, urlencode(params), limit=100)]


@pytest.mark.usefixtures("catalog")
async def test_an_exact_name_comes_first_then_names_then_descriptions(client: Client) -> None:
    found = await skus(client, q="mug")
    assert found[0] == "S-2"  # "Mug", though "Ceramic mug" sorts before it by name
    assert set(found[1:3]) == {"S-1", "S-3"}  # the word in their names
    assert set(found[3:]) == {"S-4", "S-6"}  # only in their descriptions ("mugs": stemmed)


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mug ceramic", {"S-1"}),  # two words, out of order
        ("MUGS", {"S-1", "S-2", "S-3", "S-4", "S-6"}),  # any case, any number
        ("cera", {"S-1", "S-7"}),  # the last word as a prefix
        ("runn", {"S-5"}),  # a prefix of the word as written, not of its stem ("run")
        ("mug trav", {"S-3"}),
        ('"ceramic mug"', {"S-1"}),  # a phrase
        ('"mug ceramic"', set()),
        ("mug -travel -ceramic", {"S-2", "S-4", "S-6"}),  # words excluded
        ("teapot or shorts", {"S-5", "S-7"}),
        ("kitchen", {"S-6", "S-7"}),  # the category is searched too
        ("the", set()),  # a stop word, in a description: no match, rather than most
        ("mug)(:*&|!'\\", {"S-1", "S-2", "S-3", "S-4", "S-6"}),  # tsquery syntax is text
    ],
)
async def test_words_match_in_any_order_and_the_last_one_as_a_prefix(
    client: Client, q: str, expected: set[str]
) -> None:
    assert set(await skus(client, q=q)) == expected


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("sort", ["relevance", "price", "-price", "name", "-created_at"])
async def test_cursor_pages_of_a_search_are_the_one_list_cut_up(client: Client, sort: str) -> None:
    whole = await skus(client, q="mug", sort=sort)
    paged = [
        item["sku"] for item in await all_pages(client, urlencode({"q": "mug", "sort": sort}), 1)
    ]
    assert paged == whole
    assert whole[0] == "S-2"  # whatever the sort, an exact name first


@pytest.mark.usefixtures("catalog")
async def test_within_a_rank_the_chosen_sort_orders(client: Client) -> None:
    # "Ceramic mug" (14.00) and "Travel mug" (29.00) match alike, in their names
    assert (await skus(client, q="mug", sort="-price"))[:3] == ["S-2", "S-3", "S-1"]
    assert (await skus(client, q="mug", sort="price"))[:3] == ["S-2", "S-1", "S-3"]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize(
    "filters",
    [{"q": "mug"}, {}, {"q": "mug", "category": "Home", "max_price": 1300}, {"in_stock": "true"}],
)
async def test_facet_counts_match_the_list(client: Client, filters: dict[str, Any]) -> None:
    response = await client.get(f"/api/v1/products/facets?{urlencode(filters)}")
    assert response.status_code == 200, await response.get_data(as_text=True)
    facets = await response.get_json()
    assert facets["total"] == len(await skus(client, **filters))
    for category in facets["categories"]:
        assert category["count"] == len(
            await skus(client, **{**filters, "category": category["name"]})
        )
    without_prices = {key: value for key, value in filters.items() if "price" not in key}
    for band in facets["price_bands"]:
        prices = {"min_price": band["min_price"]}
        if band["max_price"] is not None:
            prices["max_price"] = band["max_price"]
        assert band["count"] == len(await skus(client, **without_prices, **prices))
    if "category" not in filters:
        assert sum(category["count"] for category in facets["categories"]) == facets["total"]
    if not {"min_price", "max_price"} & filters.keys():
        assert sum(band["count"] for band in facets["price_bands"]) == facets["total"]


async def test_facets_and_searches_refuse_bad_input(client: Client) -> None:
    for url in (
        "/api/v1/products/facets?min_price=-1",
        "/api/v1/products?q=mug&sort=rank",
        f"/api/v1/products/facets?q={'x' * 201}",
    ):
        response = await client.get(url)
        assert response.status_code == 422, url
        assert (await response.get_json())["type"] == "/problems/validation-failed"


async def test_the_facets_are_in_the_openapi_document(client: Client) -> None:
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    parameters = {item["name"] for item in paths["/api/v1/products/facets"]["get"]["parameters"]}
    assert parameters == {"q", "category", "min_price", "max_price", "in_stock"}
    sorts = next(p for p in paths["/api/v1/products"]["get"]["parameters"] if p["name"] == "sort")
    assert "relevance" in str(sorts["schema"])
