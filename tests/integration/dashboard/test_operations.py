"""The dashboard's notifications and operations pages through the app (the in-process
broker: no dead-letter queues), and the replay refused for a queue Orion does not have."""

from __future__ import annotations

import sqlalchemy as sa

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


async def test_the_operations_page_shows_the_auditors_open_findings(
    client: Client, orion: Orion
) -> None:
    """A finding the auditor keeps (planted in its table) shows beside its invariant; the
    others show none."""
    await signed_in(client, orion)
    async with orion.engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO audit.findings (invariant, subject, problem, first_seen_at,"
                " last_seen_at) VALUES ('order_payment', :order, 'paid_without_capture',"
                " now(), now())"
            ),
            {"order": "01a25138-0000-7000-8000-000000000001"},
        )
    page = await (await client.get("/admin/operations")).get_data(as_text=True)
    row = page.split('data-invariant="order_payment"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="bad">1</td>' in row
    assert "01a25138-0000-7000-8000-000000000001: paid_without_capture" in row
    other = page.split('data-invariant="stock_ledger"', 1)[1].split("</tr>", 1)[0]
    assert "<td>0</td>" in other
    assert "The periodic audit has not run yet." in page
