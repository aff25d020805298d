"""Outbox → relay → RabbitMQ → consumer → inbox, against the real broker and database.

Every test ends with the checker: each committed event took effect exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aio_pika
import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox
from orion.modules.catalog.contracts.events import ProductCreatedV1
from orion.shared_kernel.adapters.messaging.rabbitmq import RabbitMQ
from orion.shared_kernel.adapters.sql.engine import create_engine
from orion.shared_kernel.adapters.sql.outbox import outbox_rows
from tests.integration.messaging.conftest import (
    Probe,
    Report,
    check,
    create_products,
    delete_topology,
    eventually,
    relay,
)

DELAYS_MS = [50, 100]  # two retries, then the dead-letter queue


@pytest.fixture
async def rabbit(broker_url: str, probe: Probe) -> AsyncIterator[RabbitMQ]:
    broker = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS)
    try:
        yield broker
    finally:
        await broker.close()
        queue = probe.subscription().queue
        await delete_topology(broker_url, queue, DELAYS_MS)


async def settled(orion: Orion, *, within_s: float = 20.0) -> Report:
    """Relays until the outbox is empty, then waits for the consumers to catch up."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        report = await check(orion.engine)
        if not report.lost or asyncio.get_running_loop().time() > deadline:
            return report
        await asyncio.sleep(0.05)


async def drain(orion: Orion, broker: RabbitMQ) -> None:
    worker = relay(orion, broker, backoff_base_s=0.0)
    for _ in range(200):
        if await worker.relay_once() == 0:
            return
    raise AssertionError("the outbox did not drain")


async def test_each_event_takes_effect_once(orion: Orion, probe: Probe, rabbit: RabbitMQ) -> None:
    await rabbit.start([probe.subscription()])
    await create_products(orion, 50)
    await drain(orion, rabbit)
    report = await settled(orion)
    assert report.committed == 50
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


async def test_message_published_twice_to_two_workers_takes_effect_once(
    orion: Orion, probe: Probe, rabbit: RabbitMQ, broker_url: str
) -> None:
    second = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS)
    try:
        await rabbit.start([probe.subscription()])
        await second.start([probe.subscription()])
        await create_products(orion, 20)
        await drain(orion, rabbit)
        async with orion.engine.begin() as connection:  # as if the relay died before marking
            await connection.execute(outbox.update().values(published_at=None))
        await drain(orion, second)
        report = await settled(orion)
        await eventually(lambda: len(probe.deliveries) >= 40)
    finally:
        await second.close()
    assert len(probe.deliveries) == 40  # every message arrived twice...
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())  # ...once


async def test_relay_killed_after_confirm_republishes_and_the_effect_happens_once(
    orion: Orion, probe: Probe, rabbit: RabbitMQ
) -> None:
    await rabbit.start([probe.subscription()])
    await create_products(orion, 10)

    class Killed(Exception):
        pass

    class KilledAfterConfirm:
        async def publish(self, envelopes: list) -> list:  # type: ignore[type-arg]
            await rabbit.publish(envelopes)  # confirmed by the broker...
            raise Killed  # ...and the relay dies before marking the rows

    with pytest.raises(Killed):
        await relay(orion, KilledAfterConfirm()).relay_once()
    async with orion.engine.connect() as connection:
        unmarked = await connection.scalar(
            sa.select(sa.func.count()).where(outbox.c.published_at.is_(None))
        )
    assert unmarked == 10
    await drain(orion, rabbit)
    report = await settled(orion)
    await eventually(lambda: len(probe.deliveries) >= 20)
    assert len(probe.deliveries) == 20
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


async def test_poison_message_is_dead_lettered_with_its_reason_and_others_flow(
    orion: Orion, probe: Probe, rabbit: RabbitMQ, broker_url: str
) -> None:
    poisoned = set(await create_products(orion, 1, prefix="POISON"))
    probe.fail = lambda event: event.aggregate_id in poisoned
    await rabbit.start([probe.subscription()])
    await create_products(orion, 10)
    await drain(orion, rabbit)
    queue = probe.subscription().queue
    # an undecodable message straight into the queue goes to the DLQ at once
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.default_exchange.publish(aio_pika.Message(b"\xff not json"), queue)
        dlq = await channel.declare_queue(
            f"{queue}.dlq", durable=True, arguments={"x-queue-type": "quorum"}
        )
        dead: list[aio_pika.abc.AbstractIncomingMessage] = []
        deadline = asyncio.get_running_loop().time() + 10
        while len(dead) < 2 and asyncio.get_running_loop().time() < deadline:
            message = await dlq.get(fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            dead.append(message)
            await message.ack()
    report = await check(orion.engine)
    assert report.lost == {  # the poisoned event only; the 10 others took effect
        row for row in await _ids_of(orion, poisoned)
    }
    by_reason = {str(m.headers.get("x-orion-error"))[:40]: m for m in dead}
    refused = next(m for reason, m in by_reason.items() if "probe refuses" in reason)
    assert refused.headers["x-orion-attempts"] == 3  # first try + the two retries
    assert refused.type == ProductCreatedV1.wire_name
    assert refused.headers["x-orion-aggregate-id"] == str(next(iter(poisoned)))
    undecodable = next(m for reason, m in by_reason.items() if "not an Orion envelope" in reason)
    assert undecodable.headers["x-orion-attempts"] == 1


async def test_unroutable_messages_stay_pending_and_are_counted(
    orion: Orion, rabbit: RabbitMQ
) -> None:
    rows = outbox_rows([_created() for _ in range(3)])
    unbound = f"probe.unbound_{uuid.uuid4().hex[:6]}.v1"  # subscribed, but no queue is bound
    for row in rows:
        row["type"] = unbound
    async with orion.engine.begin() as connection:
        await connection.execute(outbox.insert(), rows)
    worker = relay(orion, rabbit, max_attempts=2)
    worker._subscribed = frozenset({unbound})
    await worker.relay_once()
    async with orion.engine.connect() as connection:
        stored = (await connection.execute(sa.select(outbox))).all()
    assert [row.published_at for row in stored] == [None] * 3
    assert [row.attempts for row in stored] == [1] * 3
    assert all("NO_ROUTE" in row.last_error for row in stored)
    assert all(row.next_attempt_at > row.created_at for row in stored)
    assert worker.counts["failed"] == 3

    async with orion.engine.begin() as connection:  # due again now
        await connection.execute(outbox.update().values(next_attempt_at=sa.func.now()))
    await worker.relay_once()
    async with orion.engine.connect() as connection:
        stored = (await connection.execute(sa.select(outbox))).all()
    assert all(row.parked_at is not None and row.published_at is None for row in stored)
    assert worker.counts["parked"] == 3


async def test_a_row_committed_after_a_later_row_is_not_skipped(
    orion: Orion, probe: Probe, rabbit: RabbitMQ
) -> None:
    await rabbit.start([probe.subscription()])
    (early,) = outbox_rows([_created()])
    (late,) = outbox_rows([_created()])
    async with orion.engine.connect() as long_transaction:
        await long_transaction.begin()
        await long_transaction.execute(outbox.insert(), [early])  # written first...
        async with orion.engine.begin() as short_transaction:
            await short_transaction.execute(outbox.insert(), [late])  # ...committed second
        await drain(orion, rabbit)
        await long_transaction.commit()
    await drain(orion, rabbit)
    report = await settled(orion)
    assert report.committed == 2
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


async def test_three_relays_at_once_lose_nothing(
    orion: Orion, probe: Probe, rabbit: RabbitMQ, broker_url: str, database_url: str
) -> None:
    rows = outbox_rows([_created() for _ in range(10_000)])
    async with orion.engine.begin() as connection:
        await connection.execute(outbox.insert(), rows)
    await rabbit.start([probe.subscription()])
    publishers = [RabbitMQ(broker_url) for _ in range(3)]
    engines = [create_engine(database_url, pool_size=2) for _ in range(3)]
    try:
        relays = [relay(orion, publisher, batch_size=200) for publisher in publishers]
        for worker, engine in zip(relays, engines, strict=True):
            worker._engine = engine

        async def run(worker: object) -> None:
            while await worker.relay_once():  # type: ignore[attr-defined]
                pass

        await asyncio.gather(*(run(worker) for worker in relays))
        report = await settled(orion, within_s=60)
    finally:
        for publisher in publishers:
            await publisher.close()
        for engine in engines:
            await engine.dispose()
    published = sum(worker.counts["published"] for worker in relays)
    print(
        f"three relays: {published} publishes for {len(rows)} rows, "
        f"{len(probe.deliveries) - len(rows)} duplicate deliveries"
    )
    assert published == len(rows)  # SKIP LOCKED: no row was claimed twice
    assert report.committed == len(rows)
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


def _created() -> ProductCreatedV1:
    return ProductCreatedV1(
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        sku="S",
        name="S",
        description="",
        category="S",
        price_amount=1,
        price_currency="EUR",
        stock=0,
        active=True,
    )


async def _ids_of(orion: Orion, products: set[uuid.UUID]) -> set[uuid.UUID]:
    async with orion.engine.connect() as connection:
        return set(
            (
                await connection.execute(
                    sa.select(outbox.c.id).where(outbox.c.aggregate_id.in_(products))
                )
            ).scalars()
        )


async def test_a_worker_with_other_retry_delays_starts_beside_the_old_ones(
    probe: Probe, rabbit: RabbitMQ, broker_url: str
) -> None:
    """A queue's TTL cannot change once declared: each delay has its own rung, so a deploy
    that changes ORION_RETRY_DELAYS_MS starts instead of failing on the old queues."""
    await rabbit.start([probe.subscription()])
    changed = RabbitMQ(broker_url, retry_delays_ms=[75, 100])
    try:
        await changed.start([probe.subscription()])
    finally:
        await changed.close()
        await delete_topology(broker_url, probe.subscription().queue, [75])


async def test_events_published_before_a_consumer_first_starts_wait_for_it(
    orion: Orion, probe: Probe, broker_url: str
) -> None:
    """The relay declares every subscription's queue before it publishes: a consumer that
    starts later (a worker deployed after the API) still gets every event."""
    publisher = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS, topology=[probe.subscription()])
    consumer = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS)
    try:
        await create_products(orion, 10)
        await drain(orion, publisher)
        await consumer.start([probe.subscription()])
        report = await settled(orion)
    finally:
        await publisher.close()
        await consumer.close()
        await delete_topology(broker_url, probe.subscription().queue, DELAYS_MS)
    assert report.committed == 10
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())
