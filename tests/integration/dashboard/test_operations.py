"""The dashboard's notifications and operations pages through the app (the in-process
broker: no dead-letter queues), and the replay refused for a queue Orion does not have."""

from __future__ import annotations

from orion.bootstrap import Orion
from tests.conftest import Client
from tests.integration.dashboard.test_sign_in import csrf, signed_in


async def test_the_notifications_and_operations_pages(client: Client, orion: Orion) -> None:
    await signed_in(client, orion)
    emails = await client.get("/admin/notifications")
    assert emails.status_code == 200
    assert "No email is failing." in await emails.get_data(as_text=True)
    ops = await (await client.get("/admin/operations")).get_data(as_text=True)
    assert '<th scope="row">ordering</th>' in ops
    assert "no ORION_BROKER_URL" in ops
    refused = await client.post(
        "/admin/operations/replay", form={"csrf": await csrf(client), "queue": "nope"}
    )
    assert refused.status_code == 404
    assert "no dead-letter queue of &#39;nope&#39;" in await refused.get_data(as_text=True)
