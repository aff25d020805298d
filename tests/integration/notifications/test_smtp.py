"""Sending through a real SMTP server on loopback: the message arrives whole (text and HTML,
its deterministic Message-ID, the credentials of the URL); a server that is down or refuses
leaves a ``failed`` row with its attempts and error, and the retry sends it exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.modules.notifications.adapters.sql.tables import inbox as notifications_inbox
from orion.modules.notifications.module import NAME
from orion.modules.ordering.adapters.sql.tables import outbox as ordering_outbox
from orion.modules.ordering.contracts.events import OrderPaidV1, OrderShippedV1
from tests.conftest import shop_settings
from tests.integration.messaging.conftest import broker_url, delete_topology
from tests.integration.notifications.conftest import LOGIN, SmtpServer
from tests.integration.notifications.helpers import (
    ORDER_ID,
    log_rows,
    order_event,
    parse,
    replay,
    stage,
)

# aiosmtpd warns that AUTH without TLS is unsafe: true, and fine on loopback in a test
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
DELAYS_MS = [100, 200, 400, 800, 1600]
__all__ = ["broker_url"]  # the fixture, shared with the messaging tests


async def relay_when_due(shop: Orion) -> None:
    """Makes every pending outbox row due now (skipping its backoff), then relays once."""
    async with shop.engine.begin() as connection:
        await connection.execute(ordering_outbox.update().values(next_attempt_at=sa.func.now()))
    await shop.relay().relay_once()


async def inbox_count(shop: Orion) -> int:
    async with shop.engine.connect() as connection:
        count = await connection.scalar(sa.select(sa.func.count()).select_from(notifications_inbox))
    return int(count or 0)


async def test_an_email_arrives_with_its_text_and_html_parts(
    smtp_shop: Orion, smtp_server: SmtpServer
) -> None:
    await smtp_shop.start_consumers(["notifications"])
    await stage(smtp_shop, order_event(OrderPaidV1))
    await smtp_shop.relay().relay_once()

    [received] = smtp_server.received
    assert received.login == LOGIN
    assert received.recipients == ["ada@example.com"]
    assert received.sender == "no-reply@localhost"
    mail = parse(received.content)
    assert mail.subject == "Payment received for order ORN-000042"
    assert "We received your payment of 19.98 EUR" in mail.text
    assert "<strong>19.98 EUR</strong>" in mail.html
    assert f"/orders/{ORDER_ID}" in mail.html
    [row] = await log_rows(smtp_shop)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert row["sent_at"] is not None
    assert f"Message-ID: <{row['id']}@orion>" in received.content.decode()


async def test_a_server_down_then_refusing_is_logged_and_the_email_sent_once_it_is_back(
    smtp_shop: Orion, smtp_server: SmtpServer
) -> None:
    await smtp_shop.start_consumers(["notifications"])
    smtp_server.stop()
    await stage(smtp_shop, order_event(OrderShippedV1))

    await smtp_shop.relay().relay_once()  # down: nobody listens on the port
    [row] = await log_rows(smtp_shop)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("failed", 1, None)
    assert row["last_error"].startswith("SMTPConnectError: ")
    assert row["subject"] == "Your order ORN-000042 is on its way"
    assert await inbox_count(smtp_shop) == 0  # the consumer's transaction rolled back

    smtp_server.refusing = True
    smtp_server.start()
    await relay_when_due(smtp_shop)  # up, but answers 451
    [row] = await log_rows(smtp_shop)
    assert (row["status"], row["attempts"]) == ("failed", 2)
    assert "451" in row["last_error"]
    assert "try again later" in row["last_error"]
    assert smtp_server.received == []

    smtp_server.refusing = False
    await relay_when_due(smtp_shop)  # back
    [row] = await log_rows(smtp_shop)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert row["sent_at"] is not None
    assert "451" in row["last_error"]  # what went wrong before stays for the admin
    assert len(smtp_server.received) == 1
    assert await inbox_count(smtp_shop) == 1

    await replay(smtp_shop, ordering_outbox)  # delivered once more: nothing new
    assert len(smtp_server.received) == 1
    [row] = await log_rows(smtp_shop)
    assert (row["status"], row["attempts"]) == ("sent", 3)


async def until(shop: Orion, number: str, done: Callable[[dict[str, Any]], bool]) -> dict:
    """The log row of the email about order ``number`` once ``done`` says so (10 s at most).
    The broker is shared: other test runs' events may reach this consumer too."""
    deadline = time.monotonic() + 10
    while True:
        rows = [row for row in await log_rows(shop) if number in row["subject"]]
        assert len(rows) <= 1, rows
        if rows and done(rows[0]):
            return rows[0]
        assert time.monotonic() < deadline, rows
        await asyncio.sleep(0.05)


async def test_on_rabbitmq_a_failed_send_goes_down_the_retry_ladder_and_is_sent_once(
    orion: Orion, database_url: str, broker_url: str, smtp_server: SmtpServer
) -> None:
    shop = Orion(
        shop_settings(
            broker_url=SecretStr(broker_url),
            retry_delays_ms=DELAYS_MS,
            smtp_url=SecretStr(smtp_server.url),
            smtp_timeout_s=5,
        ),
        database_url,
    )
    # notifications' consumer of ordering's events on a queue of this test's own, so that
    # another run's worker or clean-up on the same broker cannot take or delete its messages
    [ordering_events] = [s for s in shop.subscriptions([NAME]) if s.producer == "ordering"]
    private = replace(ordering_events, consumer=f"{NAME}{uuid.uuid4().hex[:8]}")
    number = f"ORN-{uuid.uuid4().hex[:8]}"
    smtp_server.stop()
    await shop.broker.start([private])
    stop = asyncio.Event()
    relay = asyncio.create_task(shop.relay().run(stop))
    try:
        await stage(shop, order_event(OrderPaidV1, number=number))
        failed = await until(shop, number, lambda row: row["attempts"] >= 2)
        assert failed["status"] == "failed"
        assert failed["last_error"].startswith("SMTPConnectError: ")

        smtp_server.start()
        sent = await until(shop, number, lambda row: row["status"] == "sent")
        assert sent["attempts"] >= 3
        await asyncio.sleep(0.5)  # nothing more comes
        subject = f"Payment received for order {number}"
        assert [parse(m.content).subject for m in smtp_server.received].count(subject) == 1
    finally:
        stop.set()
        await relay
        await shop.stop_consumers()
        await shop.aclose()
        await delete_topology(broker_url, private.queue, DELAYS_MS)
