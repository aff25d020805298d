"""The notifications module's SQL stays in its schema: consuming an ordering event (a failed
send recorded, the retry, the duplicate) and the admins' read of the log."""

from __future__ import annotations

import pytest

from orion.bootstrap import Orion
from orion.modules.notifications.application.queries import ListNotifications
from orion.modules.notifications.application.sending import EmailNotSent
from orion.modules.ordering.contracts.events import OrderPaidV1
from tests.integration.catalog.test_stock_reservations import envelope
from tests.integration.notifications.helpers import order_event, spy_on_mailer
from tests.integration.test_data_ownership import schemas_touched


async def test_notifications_statements_stay_in_its_schema(orion: Orion) -> None:
    mailer = spy_on_mailer(orion)
    [handle] = [
        s.handle for s in orion.subscriptions(["notifications"]) if s.producer == "ordering"
    ]
    event = order_event(OrderPaidV1)
    message = envelope(event)
    async with schemas_touched(orion) as schemas:
        mailer.failing = ConnectionRefusedError("down")
        with pytest.raises(EmailNotSent):
            await handle(message)
        mailer.failing = None
        await handle(message)
        await handle(message)
        page = (
            await orion.modules["notifications"]
            .container.log()
            .list_notifications(ListNotifications(recipient="ada@example.com", limit=1))
        )
    assert schemas == {"notifications"}
    assert [(item.status, item.attempts) for item in page.items] == [("sent", 2)]
    assert len(mailer.sent) == 1
