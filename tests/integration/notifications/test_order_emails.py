"""Ordering's events reach the customer as emails (text and HTML), each sent once: through
the in-process saga from a real checkout, and from events staged in ordering's outbox for the
steps other modules drive (paid, shipped, cancelled after payment)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.notifications.adapters.sql.tables import inbox as notifications_inbox
from orion.modules.ordering.adapters.sql.tables import outbox as ordering_outbox
from orion.modules.ordering.contracts.events import (
    OrderCancelledV1,
    OrderPaidV1,
    OrderShippedV1,
)
from tests.conftest import Client
from tests.fakes.notifications import RecordingMailer
from tests.integration.notifications.helpers import (
    ORDER_ID,
    emails,
    log_rows,
    order_event,
    replay,
    spy_on_mailer,
    stage,
)
from tests.integration.ordering.helpers import checkout, customer, product, put_item, settle

ADA = "ada@example.com"


async def ada_checks_out(
    client: Client, orion: Orion, *, quantity: int, **product_fields: Any
) -> tuple[RecordingMailer, dict[str, Any]]:
    """Ada registers, puts ``quantity`` of a new product in her cart and checks out; the saga
    settles. What the mailer was asked to send, and the order."""
    mailer = spy_on_mailer(orion)
    await orion.start_consumers()
    headers = await customer(orion, ADA)
    await put_item(client, headers, await product(orion, **product_fields), quantity=quantity)
    order = await (await checkout(client, headers)).get_json()
    await settle(orion)
    return mailer, order


def subjects(mailer: RecordingMailer, start: str) -> list[str]:
    """What the mailer was asked to send whose subject starts so, each time it was asked."""
    return [email.subject for email in mailer.sent if email.subject.startswith(start)]


async def test_a_checkout_sends_one_confirmation_with_its_lines_and_total(
    client: Client, orion: Orion
) -> None:
    mailer, order = await ada_checks_out(
        client, orion, quantity=2, price=1_250, name="Blue <Pen> & Ink"
    )

    assert subjects(mailer, "We received") == [f"We received your order {order['number']}"]
    [confirmation] = [mail for mail in emails(orion, ADA) if mail.subject.startswith("We rec")]
    assert "Hello Ada Lovelace," in confirmation.text
    assert "2 x Blue <Pen> & Ink at 12.50 EUR: 25.00 EUR" in confirmation.text
    assert "Total: 25.00 EUR" in confirmation.text
    assert f"/orders/{order['id']}" in confirmation.text
    assert "Blue &lt;Pen&gt; &amp; Ink" in confirmation.html  # autoescaped
    assert "<Pen>" not in confirmation.html
    assert "<strong>25.00 EUR</strong>" in confirmation.html


async def test_an_order_cancelled_for_want_of_stock_tells_the_customer_once(
    client: Client, orion: Orion
) -> None:
    mailer, order = await ada_checks_out(client, orion, quantity=3, stock=2)

    assert subjects(mailer, "Your order") == [f"Your order {order['number']} is cancelled"]
    [cancelled] = [mail for mail in emails(orion, ADA) if mail.subject.endswith("cancelled")]
    assert "because some of the items you ordered are out of stock" in cancelled.text
    assert "You have not been charged" in cancelled.text
    assert "refund" not in cancelled.text
    assert "out of stock" in cancelled.html


async def test_paid_shipped_and_cancelled_after_payment_each_tell_the_customer(
    orion: Orion,
) -> None:
    await orion.start_consumers(["notifications"])
    await stage(
        orion,
        order_event(OrderPaidV1),
        order_event(OrderShippedV1, aggregate_version=4),
        order_event(
            OrderCancelledV1,
            number="ORN-000043",
            reason="admin_request",
            previous_status="paid",
            refund_due=True,
        ),
    )
    await settle(orion)

    mails = emails(orion, ADA)
    assert [mail.subject for mail in mails] == [
        "Payment received for order ORN-000042",
        "Your order ORN-000042 is on its way",
        "Your order ORN-000043 is cancelled",
    ]
    paid, shipped, cancelled = mails
    assert "We received your payment of 19.98 EUR for order ORN-000042" in paid.text
    assert "<strong>19.98 EUR</strong>" in paid.html
    assert f"/orders/{ORDER_ID}" in shipped.text
    assert "because our team had to cancel it" in cancelled.text
    assert "You had paid 19.98 EUR for it: we are refunding the full amount" in cancelled.text
    assert "we are refunding the full amount" in cancelled.html


async def test_an_ordering_event_delivered_twice_sends_one_email(
    client: Client, orion: Orion
) -> None:
    mailer, _ = await ada_checks_out(client, orion, quantity=1)
    sent = len(mailer.sent)
    assert subjects(mailer, "We received")

    await replay(orion, ordering_outbox)
    assert len(mailer.sent) == sent
    rows = await log_rows(orion)
    assert len(rows) == sent
    assert {(row["status"], row["attempts"]) for row in rows} == {("sent", 1)}


async def test_an_email_the_log_has_as_sent_is_not_sent_again_even_if_the_inbox_forgot(
    orion: Orion,
) -> None:
    mailer = spy_on_mailer(orion)
    await orion.start_consumers(["notifications"])
    await stage(orion, order_event(OrderPaidV1))
    await settle(orion)
    assert len(mailer.sent) == 1
    async with orion.engine.begin() as connection:
        await connection.execute(notifications_inbox.delete())

    await replay(orion, ordering_outbox)
    assert len(mailer.sent) == 1
    async with orion.engine.connect() as connection:  # the message was handled again
        assert await connection.scalar(sa.select(sa.func.count()).select_from(notifications_inbox))
    assert [(row["status"], row["attempts"]) for row in await log_rows(orion)] == [("sent", 1)]
