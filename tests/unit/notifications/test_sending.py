"""One email per (message, recipient), whatever the deliveries: the module wired on fakes
(``FakeNotifications``), as its consumer runs it. Marked sent in the message's commit, never
sent again once marked; a failed send rolls back, is recorded on its own and tried again."""

from __future__ import annotations

import pytest

from orion.modules.notifications.application.policies import money
from orion.modules.notifications.application.sending import EmailNotSent
from orion.modules.notifications.domain.email import Email, EmailStatus
from orion.modules.ordering.contracts.events import OrderPaidV1
from tests.fakes.notifications import FakeNotifications
from tests.integration.catalog.test_stock_reservations import envelope
from tests.integration.notifications.helpers import order_event


@pytest.fixture
def notifications() -> FakeNotifications:
    return FakeNotifications()


async def test_an_email_is_sent_once_and_logged_sent_in_the_message_s_commit(
    notifications: FakeNotifications,
) -> None:
    message = envelope(order_event(OrderPaidV1, customer_email="Ada@Example.com"))
    await notifications.deliver(message)
    [email] = notifications.mailer.sent
    assert email.id == Email.id_for(message.message_id, "ada@example.com")
    assert email.to == "Ada@Example.com"
    [(email_id, row)] = notifications.uow.logged().items()
    assert email_id == email.id
    assert (row.status, row.attempts, row.message_id) == (
        EmailStatus.SENT,
        1,
        str(message.message_id),
    )
    assert notifications.uow.commits == 1


async def test_a_message_delivered_again_is_dropped_by_the_inbox(
    notifications: FakeNotifications,
) -> None:
    message = envelope(order_event(OrderPaidV1))
    await notifications.deliver(message)
    await notifications.deliver(message)
    assert len(notifications.mailer.sent) == 1
    assert notifications.uow.commits == 1  # the second delivery left before the policy


async def test_an_email_logged_sent_is_not_sent_again_by_a_new_delivery(
    notifications: FakeNotifications,
) -> None:
    """The inbox forgot the message (pruned, or its record rolled back): the log still knows."""
    message = envelope(order_event(OrderPaidV1))
    await notifications.deliver(message)
    notifications.uow.committed["inbox"].clear()
    await notifications.deliver(message)
    assert len(notifications.mailer.sent) == 1
    assert notifications.uow.commits == 2


async def test_a_failed_send_rolls_back_is_recorded_and_sent_on_the_retry(
    notifications: FakeNotifications,
) -> None:
    message = envelope(order_event(OrderPaidV1))
    notifications.mailer.failing = ConnectionRefusedError(111, "Connection refused")
    with pytest.raises(EmailNotSent) as failure:
        await notifications.deliver(message)
    assert failure.value.message_id == str(message.message_id)
    assert isinstance(failure.value.__cause__, ConnectionRefusedError)
    assert "inbox" not in notifications.uow.committed  # the message comes back
    [failed] = notifications.uow.logged().values()
    assert (failed.status, failed.attempts) == (EmailStatus.FAILED, 1)
    assert failed.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"

    notifications.mailer.failing = None
    await notifications.deliver(message)
    assert len(notifications.mailer.sent) == 1
    [sent] = notifications.uow.logged().values()
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 2)
    assert sent.last_error == failed.last_error  # kept, for the admin who looks later


async def test_an_email_answers_a_message(notifications: FakeNotifications) -> None:
    sender = notifications.container.sender()
    async with notifications.uow as uow:
        with pytest.raises(RuntimeError, match="no message id"):
            await sender.send(uow, "ada@example.com", "verify_email", name="Ada", link="x")
    assert notifications.mailer.sent == []


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
