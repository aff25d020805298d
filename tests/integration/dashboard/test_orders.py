"""The dashboard's order pages through the app: list, order, a confirmed move recorded in
the audit log (in the move's transaction), a move the status refuses shown with its reason
and recorded nowhere."""

from __future__ import annotations

import html
import json
import re

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import audit as ordering_audit
from tests.conftest import ADMIN_EMAIL, Client
from tests.integration.dashboard.test_sign_in import csrf, signed_in
from tests.integration.ordering.helpers import checkout, customer, product, put_item, settle


async def a_paid_order(client: Client, orion: Orion) -> str:
    await orion.start_consumers()
    headers = await customer(orion, "ada@example.com")
    await put_item(client, headers, await product(orion, name="Blue pen"), quantity=2)
    order = await (await checkout(client, headers)).get_json()
    await settle(orion)
    return str(order["id"])


async def audit_rows(orion: Orion) -> list[dict[str, object]]:
    async with orion.engine.connect() as connection:
        rows = await connection.execute(sa.select(ordering_audit))
    return [dict(row) for row in rows.mappings()]


async def test_an_admin_ships_an_order_after_confirming_and_the_audit_log_says_so(
    client: Client, orion: Orion
) -> None:
    order_id = await a_paid_order(client, orion)
    await signed_in(client, orion)

    listed = await (await client.get("/admin/orders?status=paid&q=Blue")).get_data(as_text=True)
    assert f"/admin/orders/{order_id}" in listed
    page = await (await client.get(f"/admin/orders/{order_id}")).get_data(as_text=True)
    assert 'data-payment="captured"' in page
    confirm = await client.get(f"/admin/orders/{order_id}/ship")
    assert "Yes, ship" in await confirm.get_data(as_text=True)
    token = await csrf(client)
    assert (await client.post(f"/admin/orders/{order_id}/ship", form={})).status_code == 403
    shipped = await client.post(f"/admin/orders/{order_id}/ship", form={"csrf": token})
    assert shipped.status_code == 303

    (row,) = await audit_rows(orion)
    assert row["actor_email"] == ADMIN_EMAIL
    assert row["action"] == "orders.ship"
    assert row["subject"] == f"Order {order_id}"
    assert row["before"]["status"] == "paid"  # type: ignore[index]
    assert row["after"]["status"] == "shipped"  # type: ignore[index]
    log = await (await client.get("/admin/audit?action=orders.ship")).get_data(as_text=True)
    assert f"Order {order_id}" in log
    # the history the write added to: what it added, the entries it kept counted
    assert "<dd>3 entries</dd>" in log
    assert "<dd>&#34;shipped&#34;</dd>" in log  # the status
    (added,) = re.findall(r"<dd>\+ (.*?)</dd>", html.unescape(log))
    assert json.loads(added)["status"] == "shipped"

    again = await client.post(f"/admin/orders/{order_id}/ship", form={"csrf": token})
    assert again.status_code == 409
    assert "Refused:" in await again.get_data(as_text=True)
    assert len(await audit_rows(orion)) == 1  # a refused move changed nothing
