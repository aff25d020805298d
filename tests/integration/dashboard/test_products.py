"""The dashboard's product pages through the app: create, edit, a stale edit shown as a
conflict (nothing overwritten), stock adjusted with a reason, deactivation; each audited."""

from __future__ import annotations

from orion.bootstrap import Orion
from orion.shared_kernel.application.audit import ListAuditLog
from tests.conftest import Client
from tests.integration.dashboard.test_sign_in import csrf, signed_in

PEN = {
    "sku": "PEN-1",
    "name": "Pen",
    "category": "Office",
    "price": "3.50",
    "currency": "EUR",
    "stock": "7",
    "description": "Blue",
}


async def shown_version(client: Client, url: str) -> str:
    page = await (await client.get(url)).get_data(as_text=True)
    return page.split('name="version" value="', 1)[1].split('"', 1)[0]


async def test_create_edit_conflict_stock_and_deactivate_each_audited(
    client: Client, orion: Orion
) -> None:
    await signed_in(client, orion)
    token = await csrf(client)
    created = await client.post("/admin/products/new", form={**PEN, "csrf": token})
    assert created.status_code == 303, await created.get_data(as_text=True)
    page_url = created.headers["Location"].split("?")[0]
    listed = await (await client.get("/api/v1/products?q=Pen")).get_json()
    assert [item["sku"] for item in listed["items"]] == ["PEN-1"]

    version = await shown_version(client, page_url)
    edit = {**PEN, "csrf": token, "version": version, "name": "Pen, blue"}
    assert (await client.post(page_url, form=edit)).status_code == 303
    stale = await client.post(page_url, form={**edit, "name": "Pen, red"})  # the old version
    assert stale.status_code == 412
    page = await stale.get_data(as_text=True)
    assert "Someone else saved this product meanwhile" in page
    assert "Pen, blue" in page  # theirs, shown
    product = await (await client.get(page_url.replace("/admin/", "/api/v1/"))).get_json()
    assert product["name"] == "Pen, blue"  # not overwritten

    no_reason = await client.post(f"{page_url}/stock", form={"csrf": token, "delta": "5"})
    assert no_reason.status_code == 422
    stocked = await client.post(
        f"{page_url}/stock", form={"csrf": token, "delta": "-2", "reason": "broken in the shop"}
    )
    assert stocked.status_code == 303
    now = await shown_version(client, page_url)
    off = await client.post(f"{page_url}/deactivate", form={"csrf": token, "version": now})
    assert off.status_code == 303
    assert 'data-stock="5"' in await (await client.get(page_url)).get_data(as_text=True)

    log = await orion.mediator.ask(ListAuditLog(module="catalog"))
    assert [record.action for record in log] == [
        "products.deactivate",
        "products.stock",
        "products.update",
        "products.create",
    ]
    assert log[1].before == {"stock": 7}
    assert log[1].after == {"stock": 5}
    assert log[2].after == {"name": "Pen, blue"}
