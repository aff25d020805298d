"""Operator tools for the messaging backbone: what is stuck, and sending it again.

- Outbox (any broker): per module, rows pending, parked, the oldest pending row's age and
  published rows not yet cleaned up; un-parking parked rows so the relay sends them again.
- Dead-letter queues (RabbitMQ): ``<queue>.dlq`` as ``RabbitMQ.declare`` names them. Count
  them, look at them without taking them, move them back to ``<queue>``, purge them.

Nothing is lost if the process dies midway: a dead letter leaves its DLQ only once the
broker confirmed its copy in the main queue (a death in between leaves it in both, and the
consumer's inbox drops the second), and looking at a DLQ only ever gives messages back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import aiormq
import sqlalchemy as sa
from aio_pika import Message
from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    AbstractQueue,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.messaging.broker import BrokerUnavailable
from orion.shared_kernel.adapters.messaging.rabbitmq import (
    ATTEMPTS_HEADER,
    ERROR_HEADER,
    FAILED_AT_HEADER,
    PUBLISH_TIMEOUT_S,
    copy_message,
    dead_letter_queue,
    header_text,
)
from orion.shared_kernel.adapters.sql.outbox import NOTIFY_CHANNEL
from orion.shared_kernel.application.consistency import ListStuckMessages, StuckMessage

DELIVERY_COUNT_HEADER = "x-delivery-count"  # a quorum queue's own count: the broker sets it
REPLAY_BATCH = 100  # dead letters published together, then acked together

# -- outbox ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxStatus:
    module: str
    pending: int  # not yet published, not parked: the relay will send them (some backing off)
    parked: int  # given up after the relay's max attempts: `orion outbox replay`
    oldest_pending_age_s: float | None  # since the oldest pending row was written
    published: int  # sent, kept until the relay's cleanup deletes them after the retention


async def outbox_status(
    engine: AsyncEngine, outboxes: Mapping[str, sa.Table]
) -> list[OutboxStatus]:
    """One statement per outbox, so its four numbers come from one snapshot; the age is
    measured on the database's clock, the one that stamped ``created_at``."""
    statuses = []
    async with engine.connect() as connection:
        for module, table in outboxes.items():
            pending = sa.and_(table.c.published_at.is_(None), table.c.parked_at.is_(None))
            oldest = sa.func.extract("epoch", sa.func.now() - sa.func.min(table.c.created_at))
            row = (
                await connection.execute(
                    sa.select(
                        _count(table, pending),
                        _count(table, table.c.parked_at.is_not(None)),
                        sa.select(oldest).where(pending).scalar_subquery(),
                        _count(table, table.c.published_at.is_not(None)),
                    )
                )
            ).one()
            statuses.append(
                OutboxStatus(
                    module=module,
                    pending=row[0],
                    parked=row[1],
                    oldest_pending_age_s=None if row[2] is None else float(row[2]),
                    published=row[3],
                )
            )
    return statuses


def _count(table: sa.Table, condition: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(table).where(condition).scalar_subquery()


async def replay_parked(
    engine: AsyncEngine,
    outboxes: Mapping[str, sa.Table],
    ids: Collection[uuid.UUID] | None = None,
) -> dict[str, int]:
    """Un-parks the parked rows (all, or those among ``ids``) of each outbox: attempts back to
    0, due now, ``last_error`` kept as the reason they were parked until a new attempt
    replaces it. Wakes the relays at commit. Returns how many rows per module."""
    replayed: dict[str, int] = {}
    async with engine.begin() as connection:
        for module, table in outboxes.items():
            condition: sa.ColumnElement[bool] = table.c.parked_at.is_not(None)
            if ids is not None:
                condition = sa.and_(condition, table.c.id.in_(ids))
            result = await connection.execute(
                table.update()
                .where(condition)
                .values(parked_at=None, attempts=0, next_attempt_at=sa.func.now())
            )
            replayed[module] = result.rowcount
            if result.rowcount:
                await connection.execute(sa.select(sa.func.pg_notify(NOTIFY_CHANNEL, table.schema)))
    return replayed


# -- dead-letter queues ------------------------------------------------------------------------


class OperationFailed(Exception):
    """Told to the operator in one line; what was not done is still where it was."""


class NoSuchQueue(OperationFailed):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    message_id: str | None
    type: str | None
    attempts: int | None
    error: str | None
    failed_at: str | None
    correlation_id: str | None


async def dead_letter_counts(url: str, queues: Iterable[str]) -> dict[str, int | None]:
    """Messages ready in each queue's DLQ; ``None`` for a DLQ nobody declared yet."""
    counts: dict[str, int | None] = {}
    async with _connection(url) as connection:
        for queue in queues:
            channel = await connection.channel()  # a missing queue closes its channel
            try:
                counts[queue] = _ready(await _existing(channel, dead_letter_queue(queue)))
            except NoSuchQueue:
                counts[queue] = None
            finally:
                if not channel.is_closed:
                    await channel.close()
    return counts


async def peek_dead_letters(url: str, queue: str, limit: int) -> list[DeadLetter]:
    """The first ``limit`` dead letters of ``queue``, left in the DLQ in their order.

    AMQP has no peek: messages are taken unacked and given back with one ``basic.nack``
    (requeue). Where a given-back message goes depends on the queue: its old place in a
    classic queue, the back of a quorum queue without a delivery limit, the front of one with
    a limit (RabbitMQ 4 sets one by default). So every message present is taken and all go
    back at once, in order: at either end, the order is the same as before. ``nack`` rather
    than ``reject`` or closing the channel: from RabbitMQ 4.3 only it requeues without
    counting toward a quorum queue's delivery limit.
    """
    shown: list[DeadLetter] = []
    async with _connection(url) as connection, connection.channel() as channel:
        dlq = await _existing(channel, dead_letter_queue(queue))
        taken: AbstractIncomingMessage | None = None
        for _ in range(_ready(dlq)):
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            if len(shown) < limit:
                shown.append(_dead_letter(message))
            taken = message
        if taken is not None:
            await taken.nack(multiple=True, requeue=True)
    return shown


async def replay_dead_letters(url: str, queue: str, limit: int | None = None) -> int:
    """Moves dead letters from ``<queue>.dlq`` back to ``queue``, oldest first; returns how many.

    At most ``limit``, and never more than the DLQ held at the start, so a message that fails
    again and comes back is not chased. Each batch is published to the default exchange
    (routing key ``queue``) with ``mandatory`` and confirms, and acked from the DLQ only once
    every copy is confirmed; a refusal or a death leaves the batch in the DLQ (some of it
    maybe in both queues: at least once, the inbox drops the copy). The attempt count is
    reset so the consumer's retry ladder starts over; the other headers (the original
    envelope, the last error) are kept.
    """
    moved = 0
    async with (
        _connection(url) as connection,
        connection.channel(publisher_confirms=True, on_return_raises=True) as channel,
    ):
        dlq = await _existing(channel, dead_letter_queue(queue))
        await _existing(channel, queue)  # take nothing that has nowhere to go
        todo = _ready(dlq) if limit is None else min(limit, _ready(dlq))
        while moved < todo:
            batch = await _take(dlq, min(REPLAY_BATCH, todo - moved))
            if not batch:
                break
            try:
                await _publish_all(channel, batch, queue)
            except OperationFailed as error:
                raise OperationFailed(
                    f"{error}; {moved} moved, the rest left in {dlq.name}"
                ) from error
            await batch[-1].ack(multiple=True)
            moved += len(batch)
    return moved


async def purge_dead_letters(url: str, queue: str) -> int:
    """Deletes every ready dead letter of ``queue``; returns how many."""
    async with _connection(url) as connection, connection.channel() as channel:
        result = await (await _existing(channel, dead_letter_queue(queue))).purge()
    return result.message_count or 0


@asynccontextmanager
async def _connection(url: str) -> AsyncIterator[AbstractConnection]:
    """A plain connection, not a robust one: an operator's command fails rather than waits."""
    try:
        connection = await aio_pika.connect(
            url, timeout=PUBLISH_TIMEOUT_S, client_properties={"connection_name": "orion-ops"}
        )
    except OSError as error:  # refused, unreachable, timed out, not authenticated
        raise BrokerUnavailable(f"RabbitMQ unreachable: {error!r}") from error
    try:
        async with connection:
            yield connection
    except (OSError, aiormq.exceptions.ChannelInvalidStateError) as error:
        raise BrokerUnavailable(f"RabbitMQ went away: {error!r}") from error


async def _existing(channel: AbstractChannel, name: str) -> AbstractQueue:
    try:
        return await channel.declare_queue(name, passive=True)
    except aiormq.exceptions.ChannelNotFoundEntity:
        raise NoSuchQueue(f"the broker has no queue {name!r}") from None


def _ready(queue: AbstractQueue) -> int:
    return queue.declaration_result.message_count or 0


async def _take(queue: AbstractQueue, count: int) -> list[AbstractIncomingMessage]:
    """Up to ``count`` messages from the head of ``queue``, unacked: held until acked, or
    given back when the channel closes."""
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < count:
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


async def _publish_all(
    channel: AbstractChannel, messages: list[AbstractIncomingMessage], queue: str
) -> None:
    outcomes = await asyncio.gather(
        *(
            channel.default_exchange.publish(
                _replayable(message), queue, mandatory=True, timeout=PUBLISH_TIMEOUT_S
            )
            for message in messages
        ),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, aiormq.exceptions.DeliveryError):  # returned or nacked
            raise OperationFailed(f"the broker refused a message for {queue!r}: {outcome!r}")
        if isinstance(outcome, BaseException):
            raise outcome


def _replayable(message: AbstractIncomingMessage) -> Message:
    """A copy with the properties Orion's messages carry (``to_amqp``), its attempts reset."""
    headers = {
        key: value
        for key, value in (message.headers or {}).items()
        if key not in {ATTEMPTS_HEADER, DELIVERY_COUNT_HEADER}
    }
    return copy_message(message, headers)


def _dead_letter(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    attempts = header_text(headers.get(ATTEMPTS_HEADER))
    return DeadLetter(
        message_id=message.message_id,
        type=message.type,
        attempts=None if attempts is None else int(attempts),
        error=header_text(headers.get(ERROR_HEADER)),
        failed_at=header_text(headers.get(FAILED_AT_HEADER)),
        correlation_id=message.correlation_id,
    )


# -- what is stuck, for the consistency auditor ------------------------------------------------


class ListStuckMessagesHandler:
    """Answers ``ListStuckMessages`` from every module's outbox and, on RabbitMQ, from each
    subscription's dead-letter queue (looked at, never taken: ``peek_dead_letters``). Made by
    the composition root, the one place that knows every outbox and queue."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outboxes: Mapping[str, sa.Table],
        broker_url: str | None,
        queues: Callable[[], list[str]],
    ) -> None:
        self._engine = engine
        self._outboxes = outboxes
        self._broker_url = broker_url
        self._queues = queues

    async def __call__(self, query: ListStuckMessages) -> list[StuckMessage]:
        stuck = await self._outbox_rows(query)
        if self._broker_url is not None:
            stuck += await self._dead_letters(self._broker_url, query)
        return stuck

    async def _outbox_rows(self, query: ListStuckMessages) -> list[StuckMessage]:
        found: list[StuckMessage] = []
        async with self._engine.connect() as connection:
            for module, table in self._outboxes.items():
                waiting = {
                    "pending": (
                        table.c.created_at,
                        sa.and_(
                            table.c.published_at.is_(None),
                            table.c.parked_at.is_(None),
                            table.c.created_at < query.pending_before,
                        ),
                    ),
                    "parked": (table.c.parked_at, table.c.parked_at < query.parked_before),
                }
                for state, (since, condition) in waiting.items():
                    rows = await connection.execute(
                        sa.select(table.c.id, since)
                        .where(condition)
                        .order_by(since)
                        .limit(query.limit)
                    )
                    found += [
                        StuckMessage(
                            message_id=str(row[0]),
                            place=f"{module}.outbox",
                            state=state,
                            since=row[1],
                        )
                        for row in rows
                    ]
        return found

    async def _dead_letters(self, url: str, query: ListStuckMessages) -> list[StuckMessage]:
        found: list[StuckMessage] = []
        counts = await dead_letter_counts(url, self._queues())
        for queue, count in counts.items():
            if not count:
                continue
            for letter in await peek_dead_letters(url, queue, query.limit):
                failed_at = _failed_at(letter)
                if failed_at < query.parked_before:
                    found.append(
                        StuckMessage(
                            message_id=letter.message_id or "?",
                            place=dead_letter_queue(queue),
                            state="dead_lettered",
                            since=failed_at,
                        )
                    )
        return found


def _failed_at(letter: DeadLetter) -> datetime:
    """When the message was dead-lettered; one without the header counts as long ago."""
    if letter.failed_at is None:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(letter.failed_at)
