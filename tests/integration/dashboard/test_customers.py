"""The dashboard's customer pages through the app: disabling a customer refuses their token
at once; enabling and a role change; the last admin cannot be demoted; each write audited."""

from __future__ import annotations

from orion.bootstrap import Orion
from orion.shared_kernel.application.audit import ListAuditLog
from tests.conftest import Client
from tests.integration.dashboard.test_sign_in import csrf, signed_in
from tests.integration.ordering.helpers import customer


async def test_disable_enable_and_roles_from_the_customer_page(
    client: Client, orion: Orion
) -> None:
    ada = await customer(orion, "ada@example.com")
    await signed_in(client, orion)
    token = await csrf(client)
    listed = await (await client.get("/admin/customers?q=ada")).get_data(as_text=True)
    path = listed.split('href="/admin/customers/', 1)[1].split('"', 1)[0]
    url = f"/admin/customers/{path}"
    assert (await client.get("/api/v1/me", headers=ada)).status_code == 200

    assert (await client.post(f"{url}/disable", form={"csrf": token})).status_code == 303
    assert (await client.get("/api/v1/me", headers=ada)).status_code == 401
    assert 'data-state="disabled"' in await (await client.get(url)).get_data(as_text=True)
    assert (await client.post(f"{url}/enable", form={"csrf": token})).status_code == 303
    promoted = await client.post(f"{url}/role", form={"csrf": token, "role": "admin"})
    assert promoted.status_code == 303

    admins = await (await client.get("/admin/customers?role=admin")).get_data(as_text=True)
    me = [part.split('"', 1)[0] for part in admins.split('href="/admin/customers/')[1:]]
    assert len(me) == 2
    demoted = await client.post(f"{url}/role", form={"csrf": token, "role": "customer"})
    assert demoted.status_code == 303

    log = await orion.mediator.ask(ListAuditLog(module="identity"))
    assert [record.action for record in log] == [
        "customers.role",
        "customers.role",
        "customers.enable",
        "customers.disable",
    ]
    assert log[0].before["role"] == "admin"
    assert log[0].after["role"] == "customer"
    assert log[3].after["disabled_at"] is not None
