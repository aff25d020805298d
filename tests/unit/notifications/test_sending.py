"""Sending one email in reaction to one message, against a recording mailer and an in-memory
log: marked sent once, never sent again once marked, a failure raised with what to record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from orion.modules.notifications.adapters.mail.templates import JinjaRenderer
from orion.modules.notifications.application.policies import (
    SendEmailOnOrderEvents,
    money,
)
from orion.modules.notifications.application.sending import EmailNotSent, EmailSender
from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.modules.ordering.contracts.events import OrderCancelledV1
from tests.fakes.notifications import FakeNotificationsUnitOfWork, RecordingMailer

MESSAGE_ID = "0192f0c1-7d3a-7b6e-9c41-00000000e001"


def sender(mailer: RecordingMailer, message_id: str | None = MESSAGE_ID) -> EmailSender:
    return EmailSender(mailer=mailer, renderer=JinjaRenderer(), message_id=lambda: message_id)


def cancelled(reason: str, *, refund_due: bool = False) -> OrderCancelledV1:
    return OrderCancelledV1(
        aggregate_id=uuid.uuid4(),
        aggregate_version=2,
        occurred_at=datetime.now(UTC),
        number="ORN-000007",
        customer_id=uuid.uuid4(),
        customer_email="ada@example.com",
        customer_name="Ada",
        currency="EUR",
        total_amount=500,
        reason=reason,
        previous_status="paid" if refund_due else "awaiting_payment",
        refund_due=refund_due,
    )


async def send_verification(send: EmailSender, uow: FakeNotificationsUnitOfWork) -> None:
    await send.send(uow, "ada@example.com", "verify_email", name="Ada", link="https://x/v")


async def test_an_email_is_sent_and_marked_sent() -> None:
    mailer, uow = RecordingMailer(), FakeNotificationsUnitOfWork()
    await send_verification(sender(mailer), uow)
    [email] = mailer.sent
    assert email.id == Email.id_for(uuid.UUID(MESSAGE_ID), "ADA@example.com")
    assert email.subject == "Confirm your email address"
    assert "https://x/v" in email.text
    assert 'href="https://x/v"' in email.html
    assert uow.emails.statuses == {email.id: EmailStatus.SENT}


async def test_an_email_marked_sent_is_never_sent_again() -> None:
    mailer, uow = RecordingMailer(), FakeNotificationsUnitOfWork()
    uow.emails.statuses[Email.id_for(uuid.UUID(MESSAGE_ID), "ada@example.com")] = EmailStatus.SENT
    await send_verification(sender(mailer), uow)
    assert mailer.sent == []


async def test_an_email_that_failed_before_is_sent_again() -> None:
    mailer, uow = RecordingMailer(), FakeNotificationsUnitOfWork()
    uow.emails.statuses[Email.id_for(uuid.UUID(MESSAGE_ID), "ada@example.com")] = EmailStatus.FAILED
    await send_verification(sender(mailer), uow)
    assert len(mailer.sent) == 1


async def test_a_failed_send_raises_what_the_log_needs_and_marks_nothing() -> None:
    mailer, uow = RecordingMailer(), FakeNotificationsUnitOfWork()
    mailer.failing = ConnectionRefusedError(111, "Connection refused")
    with pytest.raises(EmailNotSent) as failure:
        await send_verification(sender(mailer), uow)
    assert failure.value.message_id == MESSAGE_ID
    assert failure.value.email.template == "verify_email"
    assert failure.value.error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert isinstance(failure.value.__cause__, ConnectionRefusedError)
    assert uow.emails.statuses == {}


async def test_an_email_answers_a_message() -> None:
    with pytest.raises(RuntimeError, match="no message id"):
        await send_verification(sender(RecordingMailer(), None), FakeNotificationsUnitOfWork())


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1_998, "EUR", "19.98 EUR"),
        (123_456_789, "EUR", "1,234,567.89 EUR"),
        (5, "EUR", "0.05 EUR"),
        (0, "EUR", "0.00 EUR"),
        (1_250, "JPY", "1,250 JPY"),
        (1_250, "KWD", "1.250 KWD"),
    ],
)
def test_money_is_shown_in_the_currency_s_own_digits(
    amount: int, currency: str, shown: str
) -> None:
    assert money(amount, currency) == shown


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
async def test_a_cancellation_says_why_in_words(reason: str, words: str) -> None:
    mailer = RecordingMailer()
    policy = SendEmailOnOrderEvents(sender=sender(mailer), public_url="https://shop/")
    await policy.on_order_cancelled(cancelled(reason), FakeNotificationsUnitOfWork())
    [email] = mailer.sent
    assert words in email.text
    assert "refund" not in email.text
    assert email.subject == "Your order ORN-000007 is cancelled"


async def test_a_paid_order_s_cancellation_mentions_the_refund() -> None:
    mailer = RecordingMailer()
    policy = SendEmailOnOrderEvents(sender=sender(mailer), public_url="https://shop/")
    event = cancelled("customer_request", refund_due=True)
    await policy.on_order_cancelled(event, FakeNotificationsUnitOfWork())
    [email] = mailer.sent
    assert "You had paid 5.00 EUR for it: we are refunding the full amount" in email.text
    assert f"https://shop/orders/{event.aggregate_id}" in email.text
