"""The catalog API's answers to bad input: problem+json with a stable type, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from openapi_spec_validator import validate

from orion.modules.catalog.domain.product import SKU
from tests.conftest import Client

PROBLEM = "application/problem+json"
VALID = {
    "sku": "SKU-1",
    "name": "Mug",
    "category": "Home",
    "price": {"amount": 1250, "currency": "EUR"},
}


async def problem(response: Any, status: int, type_: str) -> dict[str, Any]:
    body = await response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.headers["Content-Type"] == PROBLEM
    problem: dict[str, Any] = await response.get_json(force=True)
    assert problem["type"] == f"/problems/{type_}"
    assert problem["status"] == status
    assert problem["title"]
    return problem


async def test_malformed_json_is_400(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/admin/products",
        data=b'{"sku": "A",',
        headers={**admin, "Content-Type": "application/json"},
    )
    await problem(response, 400, "malformed-request")


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"price": {"amount": -1, "currency": "EUR"}}, {"price.amount"}),
        ({"price": {"amount": 100, "currency": "ZZZ"}}, {"price.currency"}),
        ({"price": {"amount": 100, "currency": "XAU"}}, {"price.currency"}),
        ({"price": {"amount": 1.5, "currency": "EUR"}}, {"price.amount"}),
        ({"name": "", "stock": -3}, {"name", "stock"}),
        ({"sku": None}, {"sku"}),
        ({"role": "admin"}, {"role"}),  # unknown fields are refused, never applied
    ],
)
async def test_invalid_fields_are_422_naming_them(
    client: Client, change: dict[str, Any], fields: set[str], admin: dict[str, str]
) -> None:
    response = await client.post("/api/v1/admin/products", json={**VALID, **change}, headers=admin)
    body = await problem(response, 422, "validation-failed")
    assert {error["field"] for error in body["errors"]} == fields
    for field in fields:
        assert field in body["detail"]


async def test_missing_fields_are_422(client: Client, admin: dict[str, str]) -> None:
    response = await client.post("/api/v1/admin/products", json={}, headers=admin)
    body = await problem(response, 422, "validation-failed")
    assert {"sku", "name", "category", "price"} <= {error["field"] for error in body["errors"]}


async def test_the_domains_sku_rule_is_the_documents_and_a_422_naming_the_field(
    client: Client, admin: dict[str, str]
) -> None:
    """The document states the domain's rule (schemathesis sent "ô", which it had allowed)."""
    response = await client.post(
        "/api/v1/admin/products", json={**VALID, "sku": "-bad sku"}, headers=admin
    )
    document = await problem(response, 422, "validation-failed")
    assert document["errors"][0]["field"] == "sku"
    served = await (await client.get("/openapi.json")).get_data(as_text=True)
    assert f'"pattern":"^{SKU.pattern}$"' in served.replace(" ", "")


async def test_unknown_product_is_404(client: Client, admin: dict[str, str]) -> None:
    await problem(await client.get(f"/api/v1/products/{uuid.uuid4()}"), 404, "product-not-found")
    response = await client.patch(
        f"/api/v1/admin/products/{uuid.uuid4()}",
        json={"name": "x"},
        headers={**admin, "If-Match": '"1"'},
    )
    await problem(response, 404, "product-not-found")


async def test_unknown_route_and_bad_id_are_404(client: Client) -> None:
    await problem(await client.get("/api/v1/products/not-a-uuid"), 404, "not-found")
    await problem(await client.get("/api/v1/nothing-here"), 404, "not-found")


async def test_wrong_method_is_405(client: Client) -> None:
    await problem(await client.delete("/api/v1/products"), 405, "method-not-allowed")


async def test_body_over_the_limit_is_413(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/admin/products",
        json={**VALID, "description": "x" * 2_000_000},
        headers=admin,
    )
    await problem(response, 413, "payload-too-large")


@pytest.mark.parametrize(
    "query",
    ["limit=1000", "limit=0", "limit=abc", "sort=rating", "min_price=-1", "in_stock=maybe"],
)
async def test_bad_query_parameters_are_422(client: Client, query: str) -> None:
    await problem(await client.get(f"/api/v1/products?{query}"), 422, "validation-failed")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}],
    ids=["none", "wrong-token", "other-scheme"],
)
async def test_admin_routes_refuse_anonymous_callers_and_bad_tokens(
    client: Client, headers: dict[str, str]
) -> None:
    response = await client.post("/api/v1/admin/products", json=VALID, headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_admin_routes_refuse_customers(client: Client) -> None:
    await client.post(
        "/api/v1/auth/register",
        json={"email": "c@example.com", "password": "a long passphrase", "full_name": "C"},
    )
    login = await client.post(
        "/api/v1/auth/login", json={"email": "c@example.com", "password": "a long passphrase"}
    )
    token = (await login.get_json())["access_token"]
    response = await client.post(
        "/api/v1/admin/products", json=VALID, headers={"Authorization": f"Bearer {token}"}
    )
    await problem(response, 403, "forbidden")


async def test_the_api_documents_itself_in_valid_openapi_3_1(client: Client) -> None:
    spec = await (await client.get("/openapi.json")).get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises, naming the invalid part
    assert {"/api/v1/products", "/api/v1/products/{product_id}", "/api/v1/categories"} <= set(
        spec["paths"]
    )
    assert "post" in spec["paths"]["/api/v1/admin/products"]
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in (await docs.get_data(as_text=True)).lower()


async def test_request_id_is_echoed_or_made(client: Client) -> None:
    echoed = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"
    made = await client.get("/health/live", headers={"X-Request-ID": "bad id <script>"})
    assert uuid.UUID(made.headers["X-Request-ID"])
