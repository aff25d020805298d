"""`orion outbox` and `orion dlq` started as real processes, against the test database and
the real RabbitMQ: what an operator types, and what a script parses."""

from __future__ import annotations

import asyncio
import json
import subprocess

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.messaging.operations import dead_letter_counts
from tests.e2e import test_serve as serve
from tests.integration.messaging import conftest as messaging
from tests.integration.messaging import test_operations_dlq as dlq_tests
from tests.integration.messaging.conftest import create_products
from tests.integration.messaging.test_operations_outbox import park

# the messaging tests' fixtures: RabbitMQ's URL (or a skip), a declared queue with its DLQ
broker_url = messaging.broker_url
queue = dlq_tests.queue


async def cli(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(serve.orion, *args, env=serve.orion_env(**settings))


async def test_outbox_status_and_replay(orion: Orion, database_url: str) -> None:
    parked = await park(orion, 2)
    await create_products(orion, 1, prefix="WAIT")

    status = await cli("outbox", "status", "--json", ORION_DATABASE_URL=database_url)
    assert status.returncode == 0, status.stderr
    [catalog] = [row for row in json.loads(status.stdout) if row["module"] == "catalog"]
    assert {key: catalog[key] for key in ("module", "pending", "parked", "published")} == {
        "module": "catalog",
        "pending": 1,
        "parked": 2,
        "published": 0,
    }
    assert 0 <= catalog["oldest_pending_age_s"] < 60

    table = await cli("outbox", "status", ORION_DATABASE_URL=database_url)
    assert table.stdout.splitlines()[0].split()[:3] == ["module", "pending", "parked"]
    assert ["catalog", "1", "2"] in [line.split()[:3] for line in table.stdout.splitlines()]

    replay = await cli(
        "outbox",
        "replay",
        "--module",
        "catalog",
        "--id",
        str(parked[0]),
        ORION_DATABASE_URL=database_url,
    )
    assert replay.returncode == 0, replay.stderr
    assert replay.stdout.startswith("un-parked rows: 1 (catalog 1)")
    status = await cli("outbox", "status", "--json", ORION_DATABASE_URL=database_url)
    rows = {row["module"]: (row["pending"], row["parked"]) for row in json.loads(status.stdout)}
    assert rows == {"catalog": (2, 1)} | {name: (0, 0) for name in rows if name != "catalog"}


async def test_dlq_list_show_replay_and_purge(
    database_url: str, broker_url: str, queue: str
) -> None:
    sent = await dlq_tests.fill(broker_url, queue, 3)
    settings = {"ORION_DATABASE_URL": database_url, "ORION_BROKER_URL": broker_url}

    listed = await cli("dlq", "list", "--queue", queue, "--json", **settings)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"queue": queue, "dlq": f"{queue}.dlq", "messages": 3}]

    shown = await cli("dlq", "show", "--queue", queue, "--limit", "2", "--json", **settings)
    assert [letter["message_id"] for letter in json.loads(shown.stdout)] == [
        str(envelope.message_id) for envelope in sent[:2]
    ]
    text = await cli("dlq", "show", "--queue", queue, **settings)
    assert "RuntimeError: poison 2" in text.stdout

    replayed = await cli("dlq", "replay", "--queue", queue, "--limit", "1", **settings)
    assert replayed.stdout.startswith("moved 1 dead letters")

    refused = await cli("dlq", "purge", "--queue", queue, **settings)
    assert refused.returncode != 0
    assert refused.stderr.strip() == (
        f"orion: dlq purge deletes the dead letters of {queue} for good: add --yes"
    )
    purged = await cli("dlq", "purge", "--queue", queue, "--yes", **settings)
    assert purged.stdout.startswith("purged 2 dead letters")
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 0}


async def test_dlq_names_a_missing_queue_in_one_line(database_url: str, broker_url: str) -> None:
    result = await cli(
        "dlq",
        "show",
        "--queue",
        "nosuchqueue",
        ORION_DATABASE_URL=database_url,
        ORION_BROKER_URL=broker_url,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "orion: the broker has no queue 'nosuchqueue.dlq'"


async def test_dlq_on_the_in_process_broker_answers_one_line() -> None:
    result = await cli("dlq", "list")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("orion: dlq needs ORION_BROKER_URL")
