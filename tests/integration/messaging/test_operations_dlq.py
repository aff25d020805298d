"""`orion dlq list|show|replay|purge` against the real RabbitMQ: each test declares its own
subscription's topology (a wire name nobody else publishes), fills its dead-letter queue
by publishing to it, and deletes its queues afterwards."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aio_pika
import pytest

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.messaging.operations import (
    FAILED_AT_HEADER,
    DeadLetter,
    ListStuckMessagesHandler,
    NoSuchQueue,
    dead_letter_counts,
    peek_dead_letters,
    purge_dead_letters,
    replay_dead_letters,
)
from orion.shared_kernel.adapters.messaging.rabbitmq import (
    ATTEMPTS_HEADER,
    ERROR_HEADER,
    RabbitMQ,
    from_amqp,
    to_amqp,
)
from orion.shared_kernel.application.consistency import ListStuckMessages
from tests.integration.messaging.conftest import (
    Probe,
    check,
    create_products,
    delete_topology,
    eventually,
    relay,
)

DELAYS_MS = [50]  # one retry, then the dead-letter queue
REPLAY_IN_A_PROCESS = (
    "import asyncio, sys\n"
    "from orion.shared_kernel.adapters.messaging.operations import replay_dead_letters\n"
    "asyncio.run(replay_dead_letters(*sys.argv[1:]))"
)


async def _never(envelope: Envelope) -> None:
    raise AssertionError("nothing consumes in these tests")


@pytest.fixture
async def queue(broker_url: str) -> AsyncIterator[str]:
    """A declared subscription queue, its retry rung and its (empty) dead-letter queue."""
    tag = uuid.uuid4().hex[:8]
    subscription = Subscription(
        consumer=f"ops{tag}", producer="test", types=frozenset({f"ops.{tag}.v1"}), handle=_never
    )
    broker = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS)
    try:
        await broker.declare([subscription])
    finally:
        await broker.close()
    try:
        yield subscription.queue
    finally:
        await delete_topology(broker_url, subscription.queue, DELAYS_MS)


def envelope(number: int) -> Envelope:
    return Envelope(
        message_id=uuid.uuid4(),
        type="catalog.product_created.v1",
        occurred_at=datetime.now(UTC),
        correlation_id=f"corr-{number}",
        causation_id=None,
        traceparent=None,
        tracestate=None,
        aggregate_id=uuid.uuid4(),
        aggregate_version=1,
        payload={"number": number},
        source="catalog",
    )


async def fill(url: str, queue: str, count: int) -> list[Envelope]:
    """Dead letters as the consumer leaves them: the envelope, its attempts, its failure."""
    envelopes = [envelope(number) for number in range(count)]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for number, sent in enumerate(envelopes):
            message = to_amqp(
                sent,
                **{
                    ATTEMPTS_HEADER: 2,
                    ERROR_HEADER: f"RuntimeError: poison {number}",
                    FAILED_AT_HEADER: "2026-01-01T00:00:00+00:00",
                },
            )
            await channel.default_exchange.publish(message, f"{queue}.dlq")
    return envelopes


async def take_all(url: str, name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Empties a queue and returns what it held, in order."""
    taken = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        source = await channel.get_queue(name)
        while (message := await source.get(fail=False)) is not None:
            await message.ack()
            taken.append(message)
    return taken


async def test_list_counts_each_dead_letter_queue_and_tells_a_missing_one(
    broker_url: str, queue: str
) -> None:
    await fill(broker_url, queue, 3)
    missing = f"absent{uuid.uuid4().hex[:8]}"
    assert await dead_letter_counts(broker_url, [queue, missing]) == {queue: 3, missing: None}


async def test_show_prints_dead_letters_and_leaves_them_in_their_order(
    broker_url: str, queue: str
) -> None:
    sent = await fill(broker_url, queue, 5)
    expected = [
        DeadLetter(
            message_id=str(envelope.message_id),
            type=envelope.type,
            attempts=2,
            error=f"RuntimeError: poison {number}",
            failed_at="2026-01-01T00:00:00+00:00",
            correlation_id=envelope.correlation_id,
        )
        for number, envelope in enumerate(sent)
    ]

    assert await peek_dead_letters(broker_url, queue, limit=2) == expected[:2]
    assert await peek_dead_letters(broker_url, queue, limit=2) == expected[:2]
    assert await peek_dead_letters(broker_url, queue, limit=10) == expected
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 5}


async def test_replay_moves_dead_letters_back_with_their_headers_and_empties_the_dlq(
    broker_url: str, queue: str
) -> None:
    sent = await fill(broker_url, queue, 4)

    assert await replay_dead_letters(broker_url, queue, limit=1) == 1
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 3}
    assert await replay_dead_letters(broker_url, queue) == 3

    assert await dead_letter_counts(broker_url, [queue]) == {queue: 0}
    moved = await take_all(broker_url, queue)
    assert [from_amqp(message) for message in moved] == sent  # the whole envelope, in order
    for number, message in enumerate(moved):
        headers = message.headers or {}
        assert ATTEMPTS_HEADER not in headers  # the retry ladder starts over
        assert headers[ERROR_HEADER] == f"RuntimeError: poison {number}"


async def test_replay_takes_nothing_when_the_queue_is_gone(broker_url: str, queue: str) -> None:
    await fill(broker_url, queue, 3)
    connection = await aio_pika.connect(broker_url)
    async with connection:
        await (await connection.channel()).queue_delete(queue)

    with pytest.raises(NoSuchQueue, match=queue):
        await replay_dead_letters(broker_url, queue)
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 3}


async def test_replay_killed_midway_loses_no_message(broker_url: str, queue: str) -> None:
    """A replay SIGKILLed mid-run leaves each message in the DLQ, the queue, or both."""
    sent = {str(envelope.message_id) for envelope in await fill(broker_url, queue, 2000)}
    replay = await asyncio.create_subprocess_exec(
        sys.executable, "-c", REPLAY_IN_A_PROCESS, broker_url, queue
    )
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        deadline = time.monotonic() + 60  # until the first batches have moved
        while time.monotonic() < deadline:
            queued = await channel.declare_queue(queue, passive=True)
            if (queued.declaration_result.message_count or 0) >= 150:
                break
            await asyncio.sleep(0.005)
    replay.kill()
    assert await replay.wait() == -signal.SIGKILL  # killed midway, not finished

    left = {message.message_id for message in await take_all(broker_url, f"{queue}.dlq")}
    moved = {message.message_id for message in await take_all(broker_url, queue)}
    assert left | moved == sent
    assert 0 < len(left) < len(sent)


async def test_purge_deletes_the_dead_letters(broker_url: str, queue: str) -> None:
    await fill(broker_url, queue, 3)
    assert await purge_dead_letters(broker_url, queue) == 3
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 0}


async def test_show_replay_and_purge_refuse_a_queue_without_dlq(broker_url: str) -> None:
    missing = f"absent{uuid.uuid4().hex[:8]}"
    with pytest.raises(NoSuchQueue, match=f"{missing}.dlq"):
        await peek_dead_letters(broker_url, missing, limit=1)
    with pytest.raises(NoSuchQueue):
        await replay_dead_letters(broker_url, missing)
    with pytest.raises(NoSuchQueue):
        await purge_dead_letters(broker_url, missing)


async def test_a_poison_message_replayed_after_the_fix_takes_effect_once(
    orion: Orion, probe: Probe, broker_url: str
) -> None:
    broker = RabbitMQ(broker_url, retry_delays_ms=DELAYS_MS)
    queue = probe.subscription().queue
    try:
        probe.fail = lambda event: True
        await broker.start([probe.subscription()])
        await create_products(orion, 1)
        await relay(orion, broker).relay_once()
        await _dead_lettered(broker_url, queue)

        probe.fail = lambda event: False  # the handler is fixed
        assert await replay_dead_letters(broker_url, queue) == 1
        await eventually(lambda: len(probe.deliveries) == 1 + len(DELAYS_MS) + 1)
        report = await check(orion.engine)
        for _ in range(100):  # the delivery is recorded before its effect commits
            if not report.lost:
                break
            await asyncio.sleep(0.05)
            report = await check(orion.engine)
    finally:
        await broker.close()
        await delete_topology(broker_url, queue, DELAYS_MS)
    assert (report.committed, report.lost, report.duplicated) == (1, set(), {})
    assert await dead_letter_counts(broker_url, [queue]) == {queue: None}  # deleted


async def _dead_lettered(url: str, queue: str) -> None:
    for _ in range(500):
        if (await dead_letter_counts(url, [queue]))[queue]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing reached {queue}.dlq")


async def test_the_auditor_sees_dead_letters_past_their_bound_and_leaves_them(
    orion: Orion, broker_url: str, queue: str
) -> None:
    sent = await fill(broker_url, queue, 2)  # dead-lettered on 2026-01-01
    stuck_messages = ListStuckMessagesHandler(
        engine=orion.engine, outboxes={}, broker_url=broker_url, queues=lambda: [queue]
    )
    now = datetime.now(UTC)
    stuck = await stuck_messages(
        ListStuckMessages(pending_before=now, parked_before=datetime(2026, 1, 2, tzinfo=UTC))
    )
    assert [(m.message_id, m.place, m.state) for m in stuck] == [
        (str(letter.message_id), f"{queue}.dlq", "dead_lettered") for letter in sent
    ]
    within_bound = datetime(2025, 12, 31, tzinfo=UTC)
    assert (
        await stuck_messages(ListStuckMessages(pending_before=now, parked_before=within_bound))
        == []
    )
    assert await dead_letter_counts(broker_url, [queue]) == {queue: 2}
