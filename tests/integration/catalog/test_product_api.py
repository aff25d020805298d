"""The catalog over HTTP on the real PostgreSQL server: writes, reads, concurrency, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from tests.conftest import Client


def product_body(sku: str = "SKU-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": sku,
        "name": "Blue mug",
        "description": "Holds coffee.",
        "category": "Home",
        "price": {"amount": 1250, "currency": "EUR"},
        "stock": 5,
    }
    body.update(overrides)
    return body


async def create(client: Client, admin: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/admin/products", json=product_body(**overrides), headers=admin
    )
    assert response.status_code == 201, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def test_created_product_is_served_with_its_etag(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin)
    response = await client.get(f"/api/v1/products/{created['id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    body = await response.get_json()
    assert body["price"] == {"amount": 1250, "currency": "EUR"}
    assert body["sku"] == "SKU-1"
    assert body["stock"] == 5


async def test_each_write_commits_its_event_to_the_outbox(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    created = await create(client, admin)
    patched = await client.patch(
        f"/api/v1/admin/products/{created['id']}",
        json={"price": {"amount": 999, "currency": "EUR"}},
        headers={**admin, "If-Match": '"1"'},
    )
    assert patched.status_code == 200
    stock = await client.post(
        f"/api/v1/admin/products/{created['id']}/stock", json={"delta": -2}, headers=admin
    )
    assert stock.status_code == 200
    deleted = await client.delete(f"/api/v1/admin/products/{created['id']}", headers=admin)
    assert deleted.status_code == 204

    async with orion.engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.text(
                    "SELECT type, aggregate_version, payload FROM catalog.outbox "
                    "ORDER BY aggregate_version, created_at, type"
                )
            )
        ).all()
    assert [(row.type, row.aggregate_version) for row in rows] == [
        ("catalog.product_created.v1", 1),
        ("catalog.product_price_changed.v1", 2),
        ("catalog.product_updated.v1", 2),
        ("catalog.stock_adjusted.v1", 3),
        ("catalog.product_deleted.v1", 4),
    ]
    assert rows[1].payload["old_amount"] == 1250
    assert rows[1].payload["new_amount"] == 999
    assert rows[3].payload["stock"] == 3


async def test_stale_if_match_gets_412_and_changes_nothing(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin)
    url = f"/api/v1/admin/products/{created['id']}"
    first = await client.patch(url, json={"name": "Red mug"}, headers={**admin, "If-Match": '"1"'})
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    stale = await client.patch(
        url, json={"name": "Green mug"}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await stale.get_json())["type"] == "/problems/stale-product-version"
    stale_body = await client.patch(url, json={"name": "Green mug", "version": 1}, headers=admin)
    assert stale_body.status_code == 412
    current = await (await client.get(f"/api/v1/products/{created['id']}")).get_json()
    assert current["name"] == "Red mug"


async def test_patch_without_a_version_gets_428(client: Client, admin: dict[str, str]) -> None:
    created = await create(client, admin)
    response = await client.patch(
        f"/api/v1/admin/products/{created['id']}", json={"name": "X"}, headers=admin
    )
    assert response.status_code == 428
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_concurrent_stock_adjustments_all_apply(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin, stock=0)
    url = f"/api/v1/admin/products/{created['id']}/stock"
    responses = await asyncio.gather(
        *(client.post(url, json={"delta": 1}, headers=admin) for _ in range(20))
    )
    assert [r.status_code for r in responses] == [200] * 20
    body = await (await client.get(f"/api/v1/products/{created['id']}")).get_json()
    assert body["stock"] == 20


async def test_stock_never_goes_below_zero(client: Client, admin: dict[str, str]) -> None:
    created = await create(client, admin, stock=3)
    url = f"/api/v1/admin/products/{created['id']}/stock"
    responses = await asyncio.gather(
        *(client.post(url, json={"delta": -1}, headers=admin) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 409, 409]
    body = await (await client.get(f"/api/v1/products/{created['id']}")).get_json()
    assert body["stock"] == 0


async def test_deleted_product_is_gone_from_the_shop_but_kept(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    created = await create(client, admin)
    assert (
        await client.delete(f"/api/v1/admin/products/{created['id']}", headers=admin)
    ).status_code == 204
    assert (await client.get(f"/api/v1/products/{created['id']}")).status_code == 404
    listed = await (await client.get("/api/v1/products")).get_json()
    assert listed["items"] == []
    async with orion.engine.connect() as connection:
        kept = await connection.scalar(
            sa.text("SELECT count(*) FROM catalog.products WHERE deleted_at IS NOT NULL")
        )
    assert kept == 1
    # its SKU is free again
    await create(client, admin)


async def test_inactive_product_is_hidden_publicly_but_not_from_admins(
    client: Client, admin: dict[str, str]
) -> None:
    created = await create(client, admin, active=False)
    assert (await client.get(f"/api/v1/products/{created['id']}")).status_code == 404
    admin = await client.get(f"/api/v1/admin/products/{created['id']}", headers=admin)
    assert admin.status_code == 200
    assert (await admin.get_json())["active"] is False


async def test_duplicate_sku_gets_409(client: Client, admin: dict[str, str]) -> None:
    await create(client, admin)
    response = await client.post("/api/v1/admin/products", json=product_body(), headers=admin)
    assert response.status_code == 409
    assert (await response.get_json())["type"] == "/problems/duplicate-sku"
