"""`orion outbox status` and `orion outbox replay`, on the real database: counts, ages, and
parked rows going out again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.messaging.operations import (
    OutboxStatus,
    outbox_status,
    replay_parked,
)
from tests.integration.messaging.conftest import create_products, relay


class Refusing:
    """A broker that refuses every message, as an unroutable one is refused."""

    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        return [RuntimeError("no route") for _ in envelopes]


class Recording:
    """A broker that takes every message and remembers which."""

    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        self.sent += [envelope.message_id for envelope in envelopes]
        return [None for _ in envelopes]


async def park(orion: Orion, count: int) -> list[uuid.UUID]:
    """Commits ``count`` events and has the relay park them at the first failure."""
    await create_products(orion, count, prefix=f"PARK{uuid.uuid4().hex[:6]}")
    # one row per pass: the relay cannot yet record several failures in one pass (UPDATE ..
    # RETURNING as executemany, which SQLAlchemy's asyncpg dialect refuses)
    refusing = relay(orion, Refusing(), max_attempts=1, batch_size=1)
    for _ in range(count):
        await refusing.relay_once()
    async with orion.engine.connect() as connection:
        return list(
            (
                await connection.execute(
                    sa.select(outbox.c.id)
                    .where(outbox.c.parked_at.is_not(None))
                    .order_by(outbox.c.created_at)
                )
            ).scalars()
        )


async def test_status_counts_pending_parked_and_published_and_ages_the_oldest_pending(
    orion: Orion,
) -> None:
    assert await outbox_status(orion.engine, orion.outboxes) == [
        OutboxStatus(module=name, pending=0, parked=0, oldest_pending_age_s=None, published=0)
        for name in orion.outboxes
    ]
    await create_products(orion, 2, prefix="SENT")
    await relay(orion, Recording()).relay_once()
    assert len(await park(orion, 3)) == 3
    pending = await create_products(orion, 4, prefix="WAIT")
    async with orion.engine.begin() as connection:  # one pending row was written 100 s ago
        await connection.execute(
            outbox.update()
            .where(outbox.c.aggregate_id == pending[0])
            .values(created_at=sa.func.now() - sa.text("interval '100 seconds'"))
        )

    [status] = [
        s for s in await outbox_status(orion.engine, orion.outboxes) if s.module == "catalog"
    ]

    assert (status.module, status.pending, status.parked, status.published) == ("catalog", 4, 3, 2)
    assert status.oldest_pending_age_s is not None
    assert 100 <= status.oldest_pending_age_s < 130


async def test_replay_unparks_the_given_rows_and_the_next_pass_publishes_them(
    orion: Orion,
) -> None:
    parked = await park(orion, 3)

    assert await replay_parked(orion.engine, orion.outboxes, [parked[0], uuid.uuid4()]) == {
        name: int(name == "catalog") for name in orion.outboxes
    }
    async with orion.engine.connect() as connection:
        row = (
            await connection.execute(
                sa.select(outbox.c.attempts, outbox.c.parked_at, outbox.c.last_error).where(
                    outbox.c.id == parked[0]
                )
            )
        ).one()
    assert (row.attempts, row.parked_at) == (0, None)
    assert row.last_error == "RuntimeError: no route"  # kept: why it was parked
    broker = Recording()
    await relay(orion, broker).relay_once()
    assert broker.sent == [parked[0]]

    assert await replay_parked(orion.engine, orion.outboxes) == {
        name: 2 if name == "catalog" else 0 for name in orion.outboxes
    }
    await relay(orion, broker).relay_once()
    assert broker.sent == parked
    [status] = [
        s for s in await outbox_status(orion.engine, orion.outboxes) if s.module == "catalog"
    ]
    assert (status.pending, status.parked, status.published) == (0, 0, 3)
