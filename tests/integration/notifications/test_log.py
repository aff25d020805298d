"""The notification log's rows: a failure recorded late (after another delivery of the same
message sent the email) never turns a sent email back into a failed one."""

from __future__ import annotations

import uuid

from orion.bootstrap import Orion
from orion.modules.notifications.adapters.sql.log import SqlNotificationLog
from orion.modules.notifications.adapters.sql.unit_of_work import SqlNotificationsUnitOfWork
from orion.modules.notifications.domain.email import Email, EmailStatus
from tests.integration.notifications.helpers import log_rows

EMAIL = Email(
    id=uuid.uuid4(),
    to="ada@example.com",
    subject="Payment received for order ORN-1",
    text="text",
    html="<p>html</p>",
    template="order_paid",
)


async def test_failures_count_until_the_email_is_sent_and_never_undo_it(orion: Orion) -> None:
    failures = SqlNotificationLog(orion.engine)
    await failures.record(EMAIL, message_id="m", error="SMTPConnectError: down")
    await failures.record(EMAIL, message_id="m", error="SMTPDataError: 451")
    async with SqlNotificationsUnitOfWork(orion.engine) as uow:
        assert await uow.emails.status(EMAIL.id) is EmailStatus.FAILED
        await uow.emails.sent(EMAIL, message_id="m")
        await uow.commit()
    await failures.record(EMAIL, message_id="m", error="too late")

    [row] = await log_rows(orion)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, "SMTPDataError: 451")
    assert row["sent_at"] is not None
    assert row["created_at"] <= row["updated_at"]
    async with SqlNotificationsUnitOfWork(orion.engine) as uow:
        assert await uow.emails.status(EMAIL.id) is EmailStatus.SENT
        assert await uow.emails.status(uuid.uuid4()) is None
