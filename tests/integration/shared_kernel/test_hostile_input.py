"""Hostile and careless input meets problem+json, never a 500: NUL characters and lone
surrogates in any string or query parameter, bodies that are not UTF-8, not JSON, nested
too deep or not said to be JSON, integers past what their column holds (issue 18's
reproducers, each one cheap and most anonymous)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.http.input import MAX_JSON_DEPTH
from tests.conftest import Client
from tests.integration.identity.helpers import problem
from tests.integration.ordering.helpers import ORDER_BODY, customer

PRODUCT = {
    "sku": "NUL-1",
    "name": "Mug",
    "category": "Home",
    "price": {"amount": 1250, "currency": "EUR"},
}
# an id nothing has: fixed, so that every pytest-xdist worker collects the same test names
NO_SUCH_ID = uuid.UUID("00000000-0000-4000-8000-000000000000")
PATHS = {"product": f"/api/v1/admin/products/{NO_SUCH_ID}", "item": "/api/v1/cart/items/"}


@pytest.fixture
async def user(orion: Orion) -> dict[str, str]:
    return await customer(orion)


def _with(body: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    """A copy of the body with the field at the dotted path set to the value."""
    copy = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    place = copy
    for part in parents:
        place = place[part]
    place[last] = value
    return copy


# (who, method, path, body, field): one string field of each kind of route
BODIES = [
    (
        "anonymous",
        "POST",
        "/api/v1/auth/login",
        {"email": "a@example.com", "password": "x"},
        "email",
    ),
    ("user", "PATCH", "/api/v1/me", {"full_name": "Ada"}, "full_name"),
    ("user", "POST", "/api/v1/orders", ORDER_BODY, "payment.token"),
    ("user", "POST", "/api/v1/orders", ORDER_BODY, "shipping_address.line1"),
    ("admin", "POST", "/api/v1/admin/products", PRODUCT, "category"),
]


@pytest.mark.parametrize("bad", ["a\u0000b", "a\ud800b"], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize(("who", "method", "path", "body", "field"), BODIES)
async def test_text_postgresql_cannot_store_is_refused_naming_the_field(
    client: Client,
    admin: dict[str, str],
    user: dict[str, str],
    who: str,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    bad: str,
) -> None:
    headers = {"anonymous": {}, "user": user, "admin": admin}[who]
    response = await client.open(
        path,
        method=method,
        data=json.dumps(_with(body, field, bad)),  # escaped: \u0000, \ud800
        headers={**headers, "Content-Type": "application/json", "Idempotency-Key": "k-1"},
    )
    document = await problem(response, 422, "validation-failed")
    assert [error["field"] for error in document["errors"]] == [field]


@pytest.mark.parametrize(
    ("who", "path", "parameter"),
    [
        ("anonymous", "/api/v1/products", "q"),
        ("anonymous", "/api/v1/products", "category"),
        ("user", "/api/v1/orders", "q"),
        ("admin", "/api/v1/admin/users", "q"),
        ("admin", "/api/v1/admin/notifications", "recipient"),
    ],
)
async def test_a_nul_in_a_query_parameter_is_refused_naming_it(
    client: Client, admin: dict[str, str], user: dict[str, str], who: str, path: str, parameter: str
) -> None:
    headers = {"anonymous": {}, "user": user, "admin": admin}[who]
    response = await client.get(path, query_string={parameter: "a\x00b"}, headers=headers)
    document = await problem(response, 422, "validation-failed")
    assert document["errors"][0]["field"] == parameter


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("anonymous", "PUT", f"/api/v1/cart/items/{NO_SUCH_ID}"),
        ("anonymous", "POST", "/api/v1/auth/register"),
        ("user", "PATCH", "/api/v1/me"),
        ("user", "POST", "/api/v1/orders"),
        ("admin", "POST", "/api/v1/admin/products"),
        ("admin", "PATCH", PATHS["product"]),
    ],
)
async def test_a_body_that_is_not_utf8_is_a_400(
    client: Client, admin: dict[str, str], user: dict[str, str], who: str, method: str, path: str
) -> None:
    headers = {"anonymous": {}, "user": user, "admin": admin}[who]
    response = await client.open(
        path,
        method=method,
        data=b'{"full_name": "caf\xe9", "quantity": 1}',  # Latin-1, not UTF-8
        headers={**headers, "Content-Type": "application/json", "Idempotency-Key": "k-2"},
    )
    document = await problem(response, 400, "invalid-encoding")
    assert "UTF-8" in document["detail"]


async def test_json_nested_past_the_bound_is_a_400_before_parsing(client: Client) -> None:
    deep = "[" * 1000 + "]" * 1000  # 2 KB, a RecursionError in the parser before
    response = await client.post(
        "/api/v1/auth/login", data=deep, headers={"Content-Type": "application/json"}
    )
    await problem(response, 400, "too-deeply-nested")
    inside_strings = json.dumps({"email": "[" * 300, "password": "{" * 300})
    allowed = await client.post(
        "/api/v1/auth/login", data=inside_strings, headers={"Content-Type": "application/json"}
    )
    assert allowed.status_code == 401  # brackets in strings do not count: a wrong password
    at_bound = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = await client.post(
        "/api/v1/auth/login", data=at_bound, headers={"Content-Type": "application/json"}
    )
    await problem(response, 422, "validation-failed")  # parsed, then refused by the model


@pytest.mark.parametrize("parameter", ["min_price", "max_price"])
async def test_a_price_filter_past_a_bigint_is_a_422(client: Client, parameter: str) -> None:
    response = await client.get("/api/v1/products", query_string={parameter: str(2**63)})
    document = await problem(response, 422, "validation-failed")
    assert document["errors"][0]["field"] == parameter
    held = await client.get("/api/v1/products", query_string={parameter: str(2**63 - 1)})
    assert held.status_code == 200


@pytest.mark.parametrize("parameter", ["min_total", "max_total"])
async def test_a_total_filter_past_a_bigint_is_a_422(
    client: Client, user: dict[str, str], parameter: str
) -> None:
    path = "/api/v1/orders"
    response = await client.get(path, query_string={parameter: str(2**63)}, headers=user)
    document = await problem(response, 422, "validation-failed")
    assert document["errors"][0]["field"] == parameter
    held = await client.get(path, query_string={parameter: str(2**63 - 1)}, headers=user)
    assert held.status_code == 200


@pytest.mark.parametrize("parameter", ["created_from", "created_to"])
async def test_a_date_filter_that_is_a_number_is_a_422_as_the_document_says(
    client: Client, user: dict[str, str], parameter: str
) -> None:
    """Found by schemathesis (seed 603806019): pydantic read 0.5 as seconds since 1970."""
    path = "/api/v1/orders"
    response = await client.get(path, query_string={parameter: "0.5"}, headers=user)
    document = await problem(response, 422, "validation-failed")
    assert document["errors"][0]["field"] == parameter
    held = await client.get(path, query_string={parameter: "2026-12-07T10:00:00Z"}, headers=user)
    assert held.status_code == 200


async def test_malformed_json_is_told_in_words_with_where(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/login", data='{"email": ', headers={"Content-Type": "application/json"}
    )
    document = await problem(response, 400, "malformed-request")
    assert "line 1 column" in document["detail"]
    assert "browser" not in json.dumps(document)
    not_json = await client.post(
        "/api/v1/auth/login", data="NaN", headers={"Content-Type": "application/json"}
    )
    await problem(not_json, 400, "malformed-request")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_not_said_to_be_json_is_a_415_that_says_what_to_send(
    client: Client, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = await client.post(
        "/api/v1/auth/login", data='{"email": "a@example.com", "password": "x"}', headers=headers
    )
    document = await problem(response, 415, "unsupported-media-type")
    assert "Content-Type: application/json" in document["detail"]
    assert "LoginIn" not in json.dumps(document)


async def test_an_if_match_that_is_no_etag_of_ours_is_a_412_not_a_500(
    client: Client, admin: dict[str, str]
) -> None:
    created = await client.post("/api/v1/admin/products", json=PRODUCT, headers=admin)
    path = f"/api/v1/admin/products/{(await created.get_json())['id']}"
    for tag in ('"' + "9" * 5000 + '"', '"\u00b2"'):  # too many digits; a digit, not ASCII
        response = await client.patch(
            path, json={"name": "Cup"}, headers={**admin, "If-Match": tag}
        )
        await problem(response, 412, "stale-product-version")
