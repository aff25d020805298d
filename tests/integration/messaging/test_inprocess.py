"""The embedded default's broker: at least once, effect once, nothing lost on failure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker
from tests.integration.messaging.conftest import Probe, check, create_products, relay


async def drain(orion: Orion, broker: InProcessBroker) -> None:
    worker = relay(orion, broker, backoff_base_s=0.0)
    for _ in range(100):
        if await worker.relay_once() == 0:
            return
    raise AssertionError("the outbox did not drain")


async def test_every_event_takes_effect_once(orion: Orion, probe: Probe) -> None:
    broker = InProcessBroker()
    await broker.start([probe.subscription()])
    await create_products(orion, 30)
    await drain(orion, broker)
    report = await check(orion.engine)
    assert report.committed == 30
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


async def test_a_failing_consumer_keeps_the_row_pending_then_takes_effect_once(
    orion: Orion, probe: Probe
) -> None:
    broker = InProcessBroker()
    await broker.start([probe.subscription()])
    failing = {(await create_products(orion, 1, prefix="F"))[0]}
    probe.fail = lambda event: event.aggregate_id in failing
    await create_products(orion, 5)
    worker = relay(orion, broker, backoff_base_s=0.0)
    await worker.relay_once()
    async with orion.engine.connect() as connection:
        pending = (
            await connection.execute(
                sa.select(outbox.c.attempts, outbox.c.last_error).where(
                    outbox.c.published_at.is_(None)
                )
            )
        ).all()
    assert len(pending) == 1
    assert pending[0].attempts == 1
    assert "probe refuses" in pending[0].last_error
    report = await check(orion.engine)
    assert len(report.lost) == 1

    probe.fail = lambda event: False  # the handler is fixed
    await drain(orion, broker)
    report = await check(orion.engine)
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())


async def test_a_crash_after_delivery_redelivers_without_a_second_effect(
    orion: Orion, probe: Probe
) -> None:
    """The process dies after the consumer committed and before the row was marked."""
    broker = InProcessBroker()
    await broker.start([probe.subscription()])
    await create_products(orion, 10)

    class Crash(Exception):
        pass

    class CrashAfterPublish:
        async def publish(self, envelopes: list) -> list:  # type: ignore[type-arg]
            await broker.publish(envelopes)
            raise Crash

    with pytest.raises(Crash):
        await relay(orion, CrashAfterPublish()).relay_once()
    assert len(probe.deliveries) == 10
    await drain(orion, broker)  # a restarted process relays the same rows again
    assert len(probe.deliveries) == 20
    report = await check(orion.engine)
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())
