"""The outbox relay: every committed event reaches the broker, at least once.

Each pass claims due rows of each module's outbox with ``FOR UPDATE SKIP LOCKED`` (so any
number of relays run side by side), publishes them together with confirms, and marks a row
published only after the broker confirmed it, in the transaction that claimed it. A relay
killed between confirm and commit leaves the rows unmarked: they go out again, and the
consumers' inbox drops the copy.

- A row is claimed by state (unpublished, not parked, due), never by position, so a row that
  commits after a later one (a long transaction) is still found.
- A type no module subscribes to is marked published without being sent: nobody is owed it.
- A row the broker refuses (unroutable, nacked, a local consumer failed) gets ``attempts``,
  ``last_error`` and ``next_attempt_at`` with exponential backoff and jitter; after
  ``max_attempts`` it is parked for an operator (``orion outbox replay``).
- A broker that cannot be reached touches no row: the pass rolls back and the relay waits,
  backing off, while the API goes on writing to the outbox.
- ``LISTEN orion_outbox`` wakes the relay at each commit; it also polls, in case a
  notification is lost with its connection.
- Published rows are deleted once older than the retention.
- Each row's publish is a span, child of the span that wrote the row (its ``traceparent``
  column), and the message carries the publish span's context: the consumer's span joins
  the request's trace however late the row goes out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
import structlog
from opentelemetry.trace import Span, SpanKind
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.messaging.broker import BrokerUnavailable, Publisher
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.metrics import RELAY_MESSAGES
from orion.shared_kernel.adapters.settings import PlatformSettings
from orion.shared_kernel.adapters.sql.outbox import NOTIFY_CHANNEL
from orion.shared_kernel.adapters.telemetry import (
    end_span,
    inject,
    parent_context,
    span_ids,
    tracer,
)

log = structlog.get_logger("orion.relay")

CLEANUP_EVERY_S = 60.0
_IDS = ARRAY(UUID(as_uuid=True))
# A broker or database out of reach: the relay waits and tries again, touching no row.
_UNAVAILABLE = (BrokerUnavailable, OSError, sa.exc.OperationalError, sa.exc.InterfaceError)
CLEANUP_BATCH = 10_000


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outboxes: Mapping[str, sa.Table],
        publisher: Publisher,
        subscribed: frozenset[str],
        batch_size: int = 200,
        max_attempts: int = 10,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 300.0,
        poll_interval_s: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._engine = engine
        self._outboxes = dict(outboxes)
        self._publisher = publisher
        self._subscribed = subscribed
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._backoff_base_s = backoff_base_s
        self._backoff_cap_s = backoff_cap_s
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._wake = asyncio.Event()
        self.counts: Counter[str] = Counter()

    async def run(self, stop: asyncio.Event) -> None:
        """Relays until ``stop`` is set; then finishes the pass in progress and returns."""
        listener = await self._listen()
        cleanup = asyncio.create_task(self._clean_periodically(stop))
        pause = self._poll_interval_s
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    handled = await self.relay_once()
                except Exception as error:  # logged and retried: nothing may stop the relay
                    if isinstance(error, _UNAVAILABLE):
                        log.warning("relay_paused", error=repr(error), retry_in_s=pause)
                        self.counts["paused"] += 1
                    else:
                        log.exception("relay_failed", retry_in_s=pause)
                        self.counts["errors"] += 1
                    await _wait(stop, pause)
                    pause = min(pause * 2, 30.0)
                    continue
                pause = self._poll_interval_s
                if handled < self._batch_size:
                    await _wait(stop, self._poll_interval_s, self._wake)
        finally:
            cleanup.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cleanup
            if listener is not None:
                await listener.close()

    async def relay_once(self) -> int:
        """One pass over every outbox; returns how many rows it settled (sent or not)."""
        handled = 0
        for schema, table in self._outboxes.items():
            handled = max(handled, await self._relay_table(schema, table))
        return handled

    async def _relay_table(self, schema: str, table: sa.Table) -> int:
        async with self._engine.begin() as connection:
            rows = (
                (
                    await connection.execute(
                        sa.select(table)
                        .where(
                            table.c.published_at.is_(None),
                            table.c.parked_at.is_(None),
                            table.c.next_attempt_at <= sa.func.now(),
                        )
                        # next_attempt_at is created_at for a new row: the claim walks the
                        # partial index outbox_due instead of sorting the whole backlog
                        .order_by(table.c.next_attempt_at)
                        .limit(self._batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                return 0
            to_send = [row for row in rows if row["type"] in self._subscribed]
            spans = [_publish_span(schema, row) for row in to_send]
            try:
                outcomes = await self._publisher.publish(
                    [_envelope(schema, row, span) for row, span in zip(to_send, spans, strict=True)]
                )
            except BaseException as error:
                for span in spans:
                    end_span(span, error)
                raise
            failed = {
                row["id"]: error for row, error in zip(to_send, outcomes, strict=True) if error
            }
            for row, span, outcome in zip(to_send, spans, outcomes, strict=True):
                end_span(span, outcome)
                if outcome is None:
                    ids = span_ids(span)
                    log.debug(
                        "message_relayed",
                        module=schema,
                        request_id=str(row["id"]),  # a message's lines: its id
                        message_id=str(row["id"]),
                        message_type=row["type"],
                        correlation_id=row["correlation_id"],
                        **({} if ids is None else {"trace_id": ids[0], "span_id": ids[1]}),
                    )
            done = [row["id"] for row in rows if row["id"] not in failed]
            if done:
                await connection.execute(
                    table.update()
                    .where(table.c.id == sa.any_(sa.bindparam("ids", type_=_IDS)))
                    .values(published_at=sa.func.now()),
                    {"ids": done},
                )
            if failed:
                await self._record_failures(connection, table, failed)
        self.counts["published"] += len(done) - (len(rows) - len(to_send))
        RELAY_MESSAGES.labels(schema, "published").inc(len(done) - (len(rows) - len(to_send)))
        RELAY_MESSAGES.labels(schema, "failed").inc(len(failed))
        self.counts["unsubscribed"] += len(rows) - len(to_send)
        self.counts["failed"] += len(failed)
        return len(rows)

    async def _record_failures(
        self, connection: Any, table: sa.Table, failed: Mapping[Any, BaseException]
    ) -> None:
        backoff = sa.func.least(
            self._backoff_cap_s, self._backoff_base_s * sa.func.power(2, table.c.attempts)
        ) * (0.5 + sa.func.random() * 0.5)
        await connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(
                attempts=table.c.attempts + 1,
                last_error=sa.bindparam("error"),
                next_attempt_at=sa.func.now() + backoff * sa.text("interval '1 second'"),
                parked_at=sa.case(
                    (table.c.attempts + 1 >= self._max_attempts, sa.func.now()), else_=None
                ),
            ),
            [
                {"row_id": row_id, "error": f"{type(error).__name__}: {error}"[:2000]}
                for row_id, error in failed.items()
            ],
        )
        updated = await connection.execute(
            sa.select(table.c.id, table.c.type, table.c.attempts, table.c.parked_at).where(
                table.c.id.in_(list(failed))
            )
        )
        for row in updated.all():
            event = "outbox_row_parked" if row.parked_at else "outbox_publish_failed"
            log.warning(
                event,
                module=table.schema,
                request_id=str(row.id),
                message_id=str(row.id),
                type=row.type,
                attempts=row.attempts,
            )
            if row.parked_at:
                self.counts["parked"] += 1
                RELAY_MESSAGES.labels(table.schema or "", "parked").inc()

    async def cleanup(self) -> int:
        """Deletes published rows older than the retention; returns how many."""
        deleted = 0
        async with self._engine.begin() as connection:
            for table in self._outboxes.values():
                doomed = (
                    sa.select(table.c.id)
                    .where(table.c.published_at < sa.func.now() - self._retention)
                    .limit(CLEANUP_BATCH)
                    .scalar_subquery()
                )
                result = await connection.execute(table.delete().where(table.c.id.in_(doomed)))
                deleted += result.rowcount
        return deleted

    async def _clean_periodically(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                deleted = await self.cleanup()
            except _UNAVAILABLE as error:
                log.warning("outbox_cleanup_failed", error=repr(error))
            else:
                if deleted:
                    log.info("outbox_cleaned", deleted=deleted)
            await _wait(stop, CLEANUP_EVERY_S)

    async def _listen(self) -> asyncpg.Connection | None:
        dsn = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            connection = await asyncpg.connect(dsn, timeout=5)
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError) as error:
            log.warning(
                "relay_listen_failed", error=repr(error), polling_every_s=self._poll_interval_s
            )
            return None
        return connection


def relay_for(
    settings: PlatformSettings,
    *,
    engine: AsyncEngine,
    outboxes: Mapping[str, sa.Table],
    publisher: Publisher,
    subscribed: frozenset[str],
) -> OutboxRelay:
    """A relay of these outboxes, batched, retried and kept as ``ORION_RELAY_*`` and
    ``ORION_OUTBOX_*`` say."""
    return OutboxRelay(
        engine=engine,
        outboxes=outboxes,
        publisher=publisher,
        subscribed=subscribed,
        batch_size=settings.relay_batch_size,
        max_attempts=settings.outbox_max_attempts,
        poll_interval_s=settings.relay_poll_interval_ms / 1000,
        retention=timedelta(hours=settings.outbox_retention_hours),
    )


def _publish_span(schema: str, row: Any) -> Span:
    """The publish of one row, a child of the span that wrote it (however long ago)."""
    return tracer.start_span(
        f"publish {row['type']}",
        context=parent_context(row["traceparent"], row["tracestate"]),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "orion",
            "messaging.operation.type": "publish",
            "messaging.destination.name": row["type"],
            "messaging.message.id": str(row["id"]),
            "orion.module": schema,
        },
    )


def _envelope(schema: str, row: Any, span: Span) -> Envelope:
    """The row as a message whose trace context is its publish span's, so that the
    consumer's span is the publish's child."""
    traceparent, tracestate = inject(span)
    return Envelope(
        message_id=row["id"],
        type=row["type"],
        occurred_at=row["occurred_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        # an unsampled publish span still carries the row's trace and its decision
        traceparent=traceparent or row["traceparent"],
        tracestate=tracestate or row["tracestate"],
        aggregate_id=row["aggregate_id"],
        aggregate_version=row["aggregate_version"],
        payload=row["payload"],
        source=schema,
    )


async def _wait(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Sleeps up to ``seconds``, less if ``stop`` (or ``wake``) is set meanwhile."""
    waiters = {asyncio.ensure_future(stop.wait())}
    if wake is not None:
        waiters.add(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
