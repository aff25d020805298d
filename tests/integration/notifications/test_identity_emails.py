"""Registration and reset requests reach the customer as emails, once each, through the
outbox, the in-process broker and the notifications module's inbox."""

from __future__ import annotations

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import outbox as identity_outbox
from orion.modules.identity.application.commands import Register, RequestPasswordReset
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker
from tests.integration.notifications.helpers import emails, log_rows, replay
from tests.integration.ordering.helpers import settle


async def test_each_identity_email_is_sent_once_even_when_delivered_again(orion: Orion) -> None:
    assert isinstance(orion.broker, InProcessBroker)
    await orion.start_consumers()
    await orion.mediator.send(
        Register(email="ada@example.com", password="a long passphrase", full_name="Ada")
    )
    await orion.mediator.send(RequestPasswordReset(email="ada@example.com"))
    await settle(orion)
    sent = emails(orion)
    assert [(mail.to, mail.subject) for mail in sent] == [
        ("ada@example.com", "Confirm your email address"),
        ("ada@example.com", "Reset your password"),
    ]
    async with orion.engine.connect() as connection:
        payloads = (await connection.execute(sa.select(identity_outbox.c.payload))).scalars().all()
    tokens = {p.get("verification_token") or p.get("reset_token") for p in payloads} - {None}
    assert len(tokens) == 2
    assert all(any(token in mail.text and token in mail.html for mail in sent) for token in tokens)

    await replay(orion, identity_outbox)
    assert len(emails(orion)) == 2
    assert [(row["status"], row["attempts"]) for row in await log_rows(orion)] == [
        ("sent", 1),
        ("sent", 1),
    ]
