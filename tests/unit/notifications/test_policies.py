"""Each of the notifications module's policies, as its consumer runs it: the module wired by
``module.py`` on fakes (``FakeNotifications``), each event delivered as the broker would;
one email to the right customer, saying what the event says, logged ``sent`` in the commit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from orion.modules.identity.contracts.events import PasswordResetRequestedV1, UserRegisteredV1
from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.modules.ordering.contracts.events import (
    OrderCancelledV1,
    OrderLineV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from tests.fakes.notifications import FakeNotifications
from tests.integration.catalog.test_stock_reservations import envelope
from tests.integration.notifications.helpers import ORDER_ID, order_event

ADA: dict[str, Any] = {  # what identity's events say of Ada
    "aggregate_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-00000000c001"),
    "aggregate_version": 1,
    "occurred_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
}


def cancelled(reason: str, *, refund_due: bool = False) -> OrderCancelledV1:
    previous = "paid" if refund_due else "awaiting_payment"
    return order_event(
        OrderCancelledV1, reason=reason, previous_status=previous, refund_due=refund_due
    )


@pytest.fixture
def notifications() -> FakeNotifications:
    return FakeNotifications(public_url="https://shop.example/")


async def the_email(notifications: FakeNotifications, event: Any) -> Email:
    """Delivers ``event`` once; the one email it sent, logged sent in the one commit."""
    await notifications.deliver(envelope(event))
    [email] = notifications.mailer.sent
    assert notifications.uow.commits == 1
    assert {email_id: row.status for email_id, row in notifications.uow.logged().items()} == {
        email.id: EmailStatus.SENT
    }
    return email


async def test_a_registration_gets_a_verification_link(notifications: FakeNotifications) -> None:
    event = UserRegisteredV1(**ADA, verification_token="tok-verify")
    email = await the_email(notifications, event)
    link = "https://shop.example/verify-email?token=tok-verify"
    assert (email.to, email.template) == ("ada@example.com", "verify_email")
    assert email.subject == "Confirm your email address"
    assert "Hello Ada Lovelace," in email.text
    assert link in email.text
    assert f'href="{link}"' in email.html


async def test_a_reset_request_gets_a_reset_link_and_its_expiry(
    notifications: FakeNotifications,
) -> None:
    event = PasswordResetRequestedV1(
        **ADA, reset_token="tok-reset", expires_at="2026-01-02T04:04:05+00:00"
    )
    email = await the_email(notifications, event)
    assert (email.to, email.template) == ("ada@example.com", "reset_password")
    assert email.subject == "Reset your password"
    assert "https://shop.example/reset-password?token=tok-reset" in email.text
    assert "until 2026-01-02T04:04:05+00:00" in email.text


async def test_a_placed_order_s_confirmation_lists_each_line_and_the_total(
    notifications: FakeNotifications,
) -> None:
    lines = [
        OrderLineV1(
            product_id=uuid.uuid4(), sku="MUG", name="Mug", quantity=2, unit_price_amount=799
        ),
        OrderLineV1(
            product_id=uuid.uuid4(), sku="CUP", name="Cup", quantity=1, unit_price_amount=400
        ),
    ]
    email = await the_email(notifications, order_event(OrderPlacedV1, lines=lines))
    assert (email.to, email.template) == ("ada@example.com", "order_placed")
    assert email.subject == "We received your order ORN-000042"
    assert "2 x Mug at 7.99 EUR: 15.98 EUR" in email.text
    assert "1 x Cup at 4.00 EUR: 4.00 EUR" in email.text
    assert "Total: 19.98 EUR" in email.text
    assert f"https://shop.example/orders/{ORDER_ID}" in email.text
    assert '<td>Mug</td><td align="right">2</td>' in email.html


async def test_a_paid_order_gets_a_receipt_of_the_amount(notifications: FakeNotifications) -> None:
    email = await the_email(notifications, order_event(OrderPaidV1))
    assert (email.to, email.template) == ("ada@example.com", "order_paid")
    assert email.subject == "Payment received for order ORN-000042"
    assert "We received your payment of 19.98 EUR for order ORN-000042" in email.text


async def test_a_shipped_order_gets_a_notice_with_its_link(
    notifications: FakeNotifications,
) -> None:
    email = await the_email(notifications, order_event(OrderShippedV1))
    assert (email.to, email.template) == ("ada@example.com", "order_shipped")
    assert email.subject == "Your order ORN-000042 is on its way"
    assert f"Your order: https://shop.example/orders/{ORDER_ID}" in email.text


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("out_of_stock", "because some of the items you ordered are out of stock"),
        ("product_unavailable", "because an item in your order is no longer for sale"),
        ("customer_request", "because you asked us to cancel it"),
        ("payment_declined", "because your payment was declined"),
        ("admin_request", "because our team had to cancel it"),
        ("a_reason_from_the_future", "because we could not complete it"),
    ],
)
async def test_a_cancellation_says_why_in_words(
    notifications: FakeNotifications, reason: str, words: str
) -> None:
    email = await the_email(notifications, cancelled(reason))
    assert email.subject == "Your order ORN-000042 is cancelled"
    assert words in email.text
    assert "You have not been charged for it." in email.text
    assert "refund" not in email.text


async def test_a_paid_order_s_cancellation_mentions_the_refund(
    notifications: FakeNotifications,
) -> None:
    email = await the_email(notifications, cancelled("customer_request", refund_due=True))
    assert "You had paid 19.98 EUR for it: we are refunding the full amount" in email.text
    assert "not been charged" not in email.text
