"""Workers forget the messages their module handled once no copy of them can come again:
records older than ORION_INBOX_RETENTION_HOURS go, a batch per transaction; younger ones
stay and still refuse a second delivery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import inbox
from orion.shared_kernel.adapters.sql import inbox as inbox_adapter


async def received(orion: Orion, *ages_h: float) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in ages_h]
    now = datetime.now(UTC)
    async with orion.engine.begin() as connection:
        await connection.execute(
            inbox.insert(),
            [
                {
                    "consumer": "catalog",
                    "message_id": message_id,
                    "type": "ordering.order_placed.v1",
                    "received_at": now - timedelta(hours=age),
                }
                for message_id, age in zip(ids, ages_h, strict=True)
            ],
        )
    return ids


async def kept(orion: Orion) -> set[uuid.UUID]:
    async with orion.engine.connect() as connection:
        return set((await connection.execute(sa.select(inbox.c.message_id))).scalars())


async def test_records_past_the_retention_go_in_batches_and_younger_ones_stay(
    orion: Orion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_adapter, "PRUNE_BATCH", 2)  # five old records: three batches
    retention = orion.settings.inbox_retention_hours
    old = await received(orion, *(retention + 1 + n for n in range(5)))
    young = await received(orion, retention - 1, 0)

    prune = {job.name: job for job in orion.periodic_jobs(["catalog"])}["catalog.inbox_prune"]

    deleted = await prune.run()

    assert deleted == len(old)
    assert await kept(orion) == set(young)
    assert await prune.run() == 0


def test_every_module_with_consumers_prunes_its_inbox_where_they_run(orion: Orion) -> None:
    jobs = {job.name for job in orion.periodic_jobs(["catalog", "payments"])}

    assert {"catalog.inbox_prune", "payments.inbox_prune"} <= jobs
    assert "ordering.inbox_prune" not in jobs
