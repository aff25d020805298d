"""A probe module for the messaging tests: it consumes the catalog's events through its own
inbox, in its own schema, and records one effect row per event it handles. Effects have no
unique key, so a duplicate effect would show; the checker compares them with the outbox."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox as catalog_outbox
from orion.modules.catalog.application.commands import CreateProduct
from orion.modules.catalog.contracts.events import ProductCreatedV1, StockAdjustedV1
from orion.shared_kernel.adapters.messaging.broker import Publisher, Subscription
from orion.shared_kernel.adapters.messaging.consumer import inbox_handler
from orion.shared_kernel.adapters.messaging.rabbitmq import retry_queue
from orion.shared_kernel.adapters.messaging.relay import OutboxRelay
from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork
from orion.shared_kernel.application import context
from tests.conftest import BROKER_URL, shop_settings, unavailable

WORKER_DELAYS_MS = [50, 100]  # the probe worker's retry ladder
CATALOG_TYPES = frozenset({ProductCreatedV1.wire_name, StockAdjustedV1.wire_name})

probe_metadata = sa.MetaData(schema="probe")
probe_outbox = outbox_table(probe_metadata)
probe_inbox = inbox_table(probe_metadata)
effects = sa.Table(
    "effects",
    probe_metadata,
    sa.Column("n", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", UUID(as_uuid=True), nullable=False),
    sa.Column("product_id", UUID(as_uuid=True), nullable=False),
)


@dataclass
class Probe:
    """The consumer under test, and how it may be told to fail."""

    engine: AsyncEngine
    name: str = field(default_factory=lambda: f"probe{uuid.uuid4().hex[:8]}")
    fail: Callable[[Any], bool] = lambda event: False
    deliveries: list[uuid.UUID] = field(default_factory=list)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, probe_outbox, probe_inbox)

    async def on_event(self, event: Any, uow: SqlUnitOfWork) -> None:
        if self.fail(event):
            raise RuntimeError(f"probe refuses {event.aggregate_id}")
        await uow.connection.execute(
            # the consumer runs the policy with the message as causation
            effects.insert().values(
                message_id=uuid.UUID(context.causation_id.get()), product_id=event.aggregate_id
            )
        )

    def subscription(self) -> Subscription:
        handle = inbox_handler(
            consumer=self.name,
            uow=self.uow,
            policies={ProductCreatedV1: self.on_event, StockAdjustedV1: self.on_event},
        )

        async def recording(envelope: Any) -> None:
            self.deliveries.append(envelope.message_id)
            await handle(envelope)

        return Subscription(
            consumer=self.name, producer="catalog", types=CATALOG_TYPES, handle=recording
        )


@dataclass(frozen=True)
class Report:
    committed: int
    lost: set[uuid.UUID]
    duplicated: dict[uuid.UUID, int]
    unexpected: set[uuid.UUID]


async def check(engine: AsyncEngine) -> Report:
    """Every committed catalog event against the probe's effects."""
    async with engine.connect() as connection:
        committed = set((await connection.execute(sa.select(catalog_outbox.c.id))).scalars())
        counts = dict(
            (
                await connection.execute(
                    sa.select(effects.c.message_id, sa.func.count()).group_by(effects.c.message_id)
                )
            ).all()
        )
    return Report(
        committed=len(committed),
        lost=committed - set(counts),
        duplicated={key: n for key, n in counts.items() if n > 1},
        unexpected=set(counts) - committed,
    )


@pytest.fixture
async def probe(orion: Orion) -> AsyncIterator[Probe]:
    async with orion.engine.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA IF EXISTS probe CASCADE")
        await connection.exec_driver_sql("CREATE SCHEMA probe")
        await connection.run_sync(probe_metadata.create_all)
    yield Probe(orion.engine)
    async with orion.engine.begin() as connection:
        await connection.exec_driver_sql("DROP SCHEMA probe CASCADE")


@pytest.fixture
async def broker_url() -> str:
    try:
        connection = await aio_pika.connect(BROKER_URL, timeout=5)
    except Exception as error:  # any failure to connect means: no broker here
        unavailable(f"RabbitMQ at {BROKER_URL}", error)
    await connection.close()
    return BROKER_URL


async def delete_queues(url: str, *names: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)


async def delete_topology(url: str, queue: str, delays_ms: Sequence[int]) -> None:
    """A subscription's queue with its retry ladder (rungs of these delays) and its
    dead-letter queue."""
    ladder = (retry_queue(queue, delay) for delay in delays_ms)
    await delete_queues(url, queue, f"{queue}.dlq", *ladder)


def orion_queues() -> list[str]:
    """The queue of every subscription of Orion's modules."""
    shop = Orion(shop_settings(), "postgresql+asyncpg://nobody@127.0.0.1/none")
    return [subscription.queue for subscription in shop.subscriptions()]


def relay(orion: Orion, publisher: Publisher, **options: Any) -> OutboxRelay:
    return OutboxRelay(
        engine=orion.engine,
        outboxes={"catalog": catalog_outbox},
        publisher=publisher,
        subscribed=CATALOG_TYPES,
        **options,
    )


async def create_products(orion: Orion, count: int, *, prefix: str = "P") -> list[uuid.UUID]:
    ids = []
    for number in range(count):
        view = await orion.mediator.send(
            CreateProduct(
                sku=f"{prefix}-{number}",
                name=f"Product {number}",
                description="",
                category="Probe",
                price_amount=100 + number,
                price_currency="EUR",
                stock=1,
            )
        )
        ids.append(view.id)
    return ids


async def eventually(condition: Callable[[], bool], *, within_s: float = 10.0) -> None:
    """Waits until ``condition()`` holds, polling; fails the test after ``within_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {within_s} s")
        await asyncio.sleep(0.02)
