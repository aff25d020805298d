"""Registration and reset requests reach the customer as emails, once each, through the
outbox, the in-process broker and the notifications module's inbox."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import outbox as identity_outbox
from orion.modules.identity.application.commands import Register, RequestPasswordReset
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker


async def relay_all(orion: Orion) -> None:
    relay = orion.relay()
    while await relay.relay_once():
        pass


def emails(orion: Orion) -> list[dict[str, str]]:
    folder: Path = orion.settings.data_dir / "outbox-mail"
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes())
        body = message.get_payload(decode=True)
        assert isinstance(body, bytes)
        found.append({"to": message["To"], "subject": message["Subject"], "body": body.decode()})
    return found


async def test_each_identity_email_is_sent_once_even_when_delivered_again(orion: Orion) -> None:
    assert isinstance(orion.broker, InProcessBroker)
    await orion.start_consumers()
    await orion.mediator.send(
        Register(email="ada@example.com", password="a long passphrase", full_name="Ada")
    )
    await orion.mediator.send(RequestPasswordReset(email="ada@example.com"))
    await relay_all(orion)
    sent = emails(orion)
    assert sorted((mail["to"], mail["subject"]) for mail in sent) == [
        ("ada@example.com", "Confirm your email address"),
        ("ada@example.com", "Reset your password"),
    ]
    async with orion.engine.connect() as connection:
        payloads = (await connection.execute(sa.select(identity_outbox.c.payload))).scalars().all()
    tokens = {p.get("verification_token") or p.get("reset_token") for p in payloads}
    assert all(any(token in mail["body"] for mail in sent) for token in tokens)

    async with orion.engine.begin() as connection:  # the relay dies before marking: again
        await connection.execute(identity_outbox.update().values(published_at=None))
    await relay_all(orion)
    assert len(emails(orion)) == 2
    async with orion.engine.connect() as connection:
        logged = await connection.scalar(sa.text("SELECT count(*) FROM notifications.emails"))
    assert logged == 2
