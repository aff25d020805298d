"""What the notifications tests read: the emails the file mailer wrote, as text and HTML,
and the notification log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from dependency_injector import providers

from orion.bootstrap import Orion
from orion.modules.notifications.adapters.sql.tables import emails as log_table
from orion.modules.ordering.adapters.sql.tables import outbox as ordering_outbox
from orion.modules.ordering.contracts.events import OrderEventV1
from orion.shared_kernel.adapters.sql.outbox import outbox_rows
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.fakes.notifications import RecordingMailer

E = TypeVar("E", bound=OrderEventV1)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def parse(raw: bytes) -> Mail:
    """An email as sent: multipart/alternative with a text and an HTML part."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return Mail(
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text.get_content(),
        html=html.get_content(),
    )


def spy_on_mailer(orion: Orion) -> RecordingMailer:
    """Every send of this Orion goes through the returned spy, then to its real mailer. Call
    it before the consumers start."""
    container = orion.modules["notifications"].container
    spy = RecordingMailer(then=container.mailer().send)
    container.mailer.override(providers.Object(spy))
    return spy


def emails(orion: Orion, to: str | None = None) -> list[Mail]:
    """The ``.eml`` files written so far (to ``to`` only, when given), by subject."""
    folder: Path = orion.settings.data_dir / "outbox-mail"
    found = [parse(path.read_bytes()) for path in folder.glob("*.eml")]
    return sorted(
        (mail for mail in found if to is None or mail.to == to), key=lambda mail: mail.subject
    )


async def log_rows(orion: Orion) -> list[dict[str, Any]]:
    async with orion.engine.connect() as connection:
        rows = await connection.execute(sa.select(log_table).order_by(log_table.c.created_at))
    return [dict(row) for row in rows.mappings()]


async def replay(orion: Orion, outbox: sa.Table) -> None:
    """The relay died before marking anything: every row of ``outbox`` is delivered again."""
    async with orion.engine.begin() as connection:
        await connection.execute(outbox.update().values(published_at=None))
    relay = orion.relay()
    while await relay.relay_once():
        pass


ORDER_ID = uuid.UUID("0192f0c1-7d3a-7b6e-9c41-00000000a001")


def order_event(event_type: type[E], **fields: Any) -> E:
    """An ordering event of Ada's order ORN-000042 (19.98 EUR), as ordering publishes it."""
    values: dict[str, Any] = {
        "aggregate_id": ORDER_ID,
        "aggregate_version": 3,
        "occurred_at": datetime.now(UTC),
        "number": "ORN-000042",
        "customer_id": uuid.UUID("0192f0c1-7d3a-7b6e-9c41-00000000c001"),
        "customer_email": "ada@example.com",
        "customer_name": "Ada Lovelace",
        "currency": "EUR",
        "total_amount": 1_998,
        **fields,
    }
    return event_type(**values)


async def stage(orion: Orion, *events: IntegrationEvent) -> None:
    """Ordering's events in its outbox, as if its transactions had written them."""
    async with orion.engine.begin() as connection:
        await connection.execute(ordering_outbox.insert(), outbox_rows(list(events)))
