"""Relay benchmark: outbox → RabbitMQ throughput against raw aio-pika, and the latency from a
producer's commit to a consumer's commit.

Both are measured in one run, in this one process (uvloop), on a
throwaway PostgreSQL database (127.0.0.1:5432, user postgres) migrated by Orion and a
throwaway RabbitMQ virtual host (made with rabbitmqctl, so that no other consumer of
`orion.events` on the broker sees the benchmark's messages, nor the benchmark theirs):

  throughput  catalog.outbox is filled with N ProductCreatedV1 rows (built by `outbox_rows`,
              bulk-copied), then relayed by Orion's `OutboxRelay` with its `RabbitMQ`
              publisher (publisher confirms, mandatory) until every row is marked published
              (`relay_once()` in a loop). The baseline publishes the same messages (same
              bodies and headers, built by `rabbitmq.to_amqp`) with raw aio-pika from the same
              process, with confirms and mandatory, pipelined the same way: one batch of the
              relay's batch size at a time, its publishes gathered. Both go to a quorum queue
              bound to the wire name on `orion.events`; rounds alternate, the table shows the
              medians and relay / raw.
  latency     a producer sends `CreateProduct` through Orion's mediator at a steady rate
              (200/s by default), `OutboxRelay.run()` relays the events (woken by
              LISTEN/NOTIFY), and a probe consumer (`RabbitMQ.start` with an `inbox_handler`)
              commits one effect row per event into a schema of its own. Latency = the
              consumer's commit time - the producer's commit time, after a warm-up.
              Producer, relay and consumer share the process, Orion's engine pool and one
              broker connection, as they do in `orion serve`. The table also splits the
              latency at the relay's publish call and its confirms.

The database, the queues and the virtual host are removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import secrets
import shutil
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import sqlalchemy as sa
import uvloop
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractExchange
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.engine import make_url

from _common import (
    BROKER,
    Cpu,
    CpuMeter,
    database_url,
    load_average,
    percentile,
    throwaway_database,
    throwaway_vhost,
)
from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.tables import outbox as catalog_outbox
from orion.modules.catalog.application.commands import CreateProduct
from orion.modules.catalog.contracts.events import ProductCreatedV1
from orion.settings import Settings
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.adapters.messaging.broker import Publisher, Subscription
from orion.shared_kernel.adapters.messaging.consumer import inbox_handler
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.messaging.rabbitmq import (
    EXCHANGE,
    PUBLISH_TIMEOUT_S,
    RabbitMQ,
    to_amqp,
)
from orion.shared_kernel.adapters.messaging.relay import OutboxRelay
from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_rows, outbox_table
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork
from orion.shared_kernel.application import context
from orion.shared_kernel.domain.ids import new_id

WIRE_NAME = ProductCreatedV1.wire_name
SUBSCRIBED = frozenset({WIRE_NAME})
OUTBOX_COLUMNS = (
    "id",
    "type",
    "aggregate_id",
    "aggregate_version",
    "occurred_at",
    "payload",
    "correlation_id",
    "causation_id",
    "traceparent",
    "tracestate",
)
DRAIN_TIMEOUT_S = 60.0
STALL_PROBE_S = 0.005

# The latency probe: a consuming module of its own, with its inbox and one effect per event.
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


@dataclass(frozen=True, slots=True)
class Throughput:
    raw: list[float]  # events/s per round
    relay: list[float]


@dataclass(frozen=True, slots=True)
class Latency:
    events: int
    effects: int
    cpu: Cpu
    stalls: Stalls
    commit_to_consumer_ms: list[float]
    commit_to_publish_ms: list[float]
    publish_to_confirm_ms: list[float]
    publish_to_consumer_ms: list[float]


class Stalls:
    """While ``watch`` runs: the event loop's longest stall (how late a short sleep wakes
    up) and the pause of each full (generation 2) garbage collection."""

    def __init__(self) -> None:
        self.longest_ms = 0.0
        self.full_gc_ms: list[float] = []
        self._gc_started = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.full_gc_ms.append((time.perf_counter() - self._gc_started) * 1000)

    async def watch(self) -> None:
        gc.callbacks.append(self._on_gc)
        try:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(STALL_PROBE_S)
                late = time.perf_counter() - before - STALL_PROBE_S
                self.longest_ms = max(self.longest_ms, late * 1000)
        finally:
            gc.callbacks.remove(self._on_gc)

    def __str__(self) -> str:
        collections = len(self.full_gc_ms)
        longest = f", longest {max(self.full_gc_ms):.1f} ms" if self.full_gc_ms else ""
        return (
            f"event loop: longest stall {self.longest_ms:.1f} ms; "
            f"full garbage collections {collections}{longest}"
        )


# -- throwaway database and virtual host ---------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- throughput -----------------------------------------------------------------------------


def product_created(number: int, prefix: str) -> ProductCreatedV1:
    return ProductCreatedV1(
        aggregate_id=new_id(),
        aggregate_version=1,
        occurred_at=datetime.now(UTC),
        sku=f"{prefix}-{number:06d}",
        name=f"Benchmark product {number}",
        description="A product created by bench/relay.py.",
        category="Benchmark",
        price_amount=1000 + number,
        price_currency="EUR",
        stock=10,
        active=True,
    )


def envelope(row: dict[str, Any]) -> Envelope:
    """The envelope the relay builds from this outbox row."""
    return Envelope(
        message_id=row["id"],
        type=row["type"],
        occurred_at=row["occurred_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        traceparent=row["traceparent"],
        tracestate=row["tracestate"],
        aggregate_id=row["aggregate_id"],
        aggregate_version=row["aggregate_version"],
        payload=row["payload"],
        source="catalog",
    )


async def fill_outbox(dsn: str, count: int) -> list[Envelope]:
    """Empties catalog.outbox and copies ``count`` new rows into it, each as the unit of work
    writes it for a request of its own (one correlation id each); returns the envelopes the
    relay will build from them (read back, so that the JSON bodies match byte for byte)."""
    rows: list[dict[str, Any]] = []
    for number in range(count):
        token = context.correlation_id.set(new_id().hex)
        try:
            rows += outbox_rows([product_created(number, "BENCH")])
        finally:
            context.correlation_id.reset(token)
    records = [
        tuple(json.dumps(row[c]) if c == "payload" else row[c] for c in OUTBOX_COLUMNS)
        for row in rows
    ]
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("TRUNCATE catalog.outbox")
            await connection.copy_records_to_table(
                "outbox", schema_name="catalog", columns=OUTBOX_COLUMNS, records=records
            )
        await connection.execute("VACUUM ANALYZE catalog.outbox")
        stored = await connection.fetch("SELECT * FROM catalog.outbox")
    finally:
        await connection.close()
    return [envelope({**row, "payload": json.loads(row["payload"])}) for row in stored]


async def publish_raw(exchange: AbstractExchange, envelopes: list[Envelope], batch: int) -> None:
    """Raw aio-pika, pipelined as the relay pipelines: a batch at a time, gathered."""
    for start in range(0, len(envelopes), batch):
        await asyncio.gather(
            *(
                exchange.publish(
                    to_amqp(item), item.type, mandatory=True, timeout=PUBLISH_TIMEOUT_S
                )
                for item in envelopes[start : start + batch]
            )
        )


async def relay_all(relay: OutboxRelay, count: int) -> None:
    """Relay passes until ``count`` more rows are published."""
    target = relay.counts["published"] + count
    while relay.counts["published"] < target:
        if await relay.relay_once() == 0 or relay.counts["failed"]:
            raise RuntimeError(f"the relay stopped short of {count} rows: {dict(relay.counts)}")


async def timed(work: Awaitable[None], count: int) -> float:
    """Events/s of ``work``."""
    start = time.perf_counter()
    await work
    return count / (time.perf_counter() - start)


async def expect_then_purge(channel: AbstractChannel, queue: str, count: int) -> None:
    """The queue holds exactly ``count`` messages (all were routed), then it is emptied."""
    declared = await channel.declare_queue(queue, passive=True)
    held = declared.declaration_result.message_count
    if held != count:
        raise RuntimeError(f"queue {queue} holds {held} messages, expected {count}")
    await declared.purge()


async def measure_throughput(
    orion: Orion, broker_url: str, *, events: int, batch: int, rounds: int
) -> Throughput:
    dsn = asyncpg_dsn(orion.engine.url.render_as_string(hide_password=False))
    connection = await aio_pika.connect(broker_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(EXCHANGE, ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(
            f"bench.relay.{secrets.token_hex(4)}",
            durable=True,
            arguments={"x-queue-type": "quorum"},
        )
        try:
            await queue.bind(exchange, routing_key=WIRE_NAME)
            publisher = RabbitMQ(broker_url)
            try:
                await publisher.connect()
                relay = OutboxRelay(
                    engine=orion.engine,
                    outboxes={"catalog": catalog_outbox},
                    publisher=publisher,
                    subscribed=SUBSCRIBED,
                    batch_size=batch,
                )
                warmup = min(events, 5 * batch)
                envelopes = await fill_outbox(dsn, warmup)
                await publish_raw(exchange, envelopes, batch)
                await relay_all(relay, warmup)
                await expect_then_purge(channel, queue.name, 2 * warmup)
                result = Throughput(raw=[], relay=[])
                for number in range(1, rounds + 1):
                    envelopes = await fill_outbox(dsn, events)
                    for name in ("raw", "relay") if number % 2 else ("relay", "raw"):
                        if name == "raw":
                            work = publish_raw(exchange, envelopes, batch)
                        else:
                            work = relay_all(relay, events)
                        samples = result.raw if name == "raw" else result.relay
                        meter = CpuMeter()
                        samples.append(await timed(work, events))
                        cpu = meter.read()
                        await expect_then_purge(channel, queue.name, events)
                        print(
                            f"round {number} {name:<5} {samples[-1]:>6.0f} events/s  ({cpu})",
                            flush=True,
                        )
                return result
            finally:
                await publisher.close()
        finally:
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()


# -- latency --------------------------------------------------------------------------------


class TimedPublisher:
    """Orion's publisher, noting when the relay hands it each event and when it confirms."""

    def __init__(self, inner: Publisher) -> None:
        self._inner = inner
        self.sent: dict[uuid.UUID, tuple[float, float]] = {}

    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        start = time.perf_counter()
        outcomes = await self._inner.publish(envelopes)
        confirmed = time.perf_counter()
        for item in envelopes:
            self.sent.setdefault(item.aggregate_id, (start, confirmed))
        return outcomes


async def produce(
    orion: Orion, rate: float, seconds: float, committed: dict[uuid.UUID, float]
) -> list[uuid.UUID]:
    """Creates products at a steady rate (open loop: each on its own schedule, whether or not
    the previous one finished); notes when each commit returned. Returns the ids in order."""
    ids: list[uuid.UUID | None] = [None] * round(rate * seconds)
    prefix = secrets.token_hex(3).upper()

    async def create(number: int) -> None:
        view = await orion.mediator.send(
            CreateProduct(
                sku=f"LAT-{prefix}-{number:06d}",
                name=f"Latency product {number}",
                description="A product created by bench/relay.py.",
                category="Benchmark",
                price_amount=1000 + number,
                price_currency="EUR",
                stock=10,
            )
        )
        committed[view.id] = time.perf_counter()
        ids[number] = view.id

    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter()
    try:
        for number in range(len(ids)):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(create(number)))
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [product for product in ids if product is not None]


async def measure_latency(
    orion: Orion, broker_url: str, *, rate: float, seconds: float, warmup: float
) -> Latency:
    settings = orion.settings
    async with orion.engine.begin() as connection:
        await connection.exec_driver_sql("TRUNCATE catalog.outbox")
        await connection.exec_driver_sql("CREATE SCHEMA probe")
        await connection.run_sync(probe_metadata.create_all)

    async def effect(event: ProductCreatedV1, work: SqlUnitOfWork) -> None:
        await work.connection.execute(
            effects.insert().values(
                message_id=uuid.UUID(context.causation_id.get()), product_id=event.aggregate_id
            )
        )

    consumer = f"bench{secrets.token_hex(4)}"
    handle = inbox_handler(
        consumer=consumer,
        uow=lambda: SqlUnitOfWork(orion.engine, probe_outbox, probe_inbox),
        policies={ProductCreatedV1: effect},
    )
    committed: dict[uuid.UUID, float] = {}
    consumed: dict[uuid.UUID, float] = {}
    expected: float = math.inf  # how many events the producer committed, once it is done
    drained = asyncio.Event()

    async def on_message(item: Envelope) -> None:
        await handle(item)
        consumed.setdefault(item.aggregate_id, time.perf_counter())
        if len(consumed) >= expected:
            drained.set()

    subscription = Subscription(
        consumer=consumer, producer="catalog", types=SUBSCRIBED, handle=on_message
    )
    # One broker connection for the relay and the consumer, as in `orion serve`.
    broker = RabbitMQ(
        broker_url, prefetch=settings.consumer_prefetch, retry_delays_ms=settings.retry_delays_ms
    )
    publisher = TimedPublisher(broker)
    relay = OutboxRelay(
        engine=orion.engine,
        outboxes={"catalog": catalog_outbox},
        publisher=publisher,
        subscribed=SUBSCRIBED,
        batch_size=settings.relay_batch_size,
        max_attempts=settings.outbox_max_attempts,
        poll_interval_s=settings.relay_poll_interval_ms / 1000,
    )
    queues = [
        subscription.queue,
        f"{subscription.queue}.dlq",
        *(f"{subscription.queue}.retry.{n}" for n in range(1, len(settings.retry_delays_ms) + 1)),
    ]
    stop = asyncio.Event()
    try:
        await broker.start([subscription])
        relay_task = asyncio.create_task(relay.run(stop))
        try:
            await asyncio.sleep(0.2)  # the relay's LISTEN is in place
            gc.collect()  # what the throughput run left behind is not this run's garbage
            meter, stalls = CpuMeter(), Stalls()
            watcher = asyncio.create_task(stalls.watch())
            try:
                ids = await produce(orion, rate, warmup + seconds, committed)
                expected = len(ids)
                if len(consumed) >= expected:
                    drained.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(drained.wait(), DRAIN_TIMEOUT_S)
                cpu = meter.read()
            finally:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
        finally:
            stop.set()
            await relay_task
    finally:
        await broker.close()
        await delete_queues(broker_url, queues)
    async with orion.engine.connect() as connection:
        counted = await connection.execute(sa.select(sa.func.count()).select_from(effects))
        effect_total = counted.scalar_one()
    measured = ids[round(rate * warmup) :]
    done = [product for product in measured if product in consumed]
    return Latency(
        events=len(measured),
        effects=effect_total,
        cpu=cpu,
        stalls=stalls,
        commit_to_consumer_ms=[(consumed[p] - committed[p]) * 1000 for p in done],
        commit_to_publish_ms=[(publisher.sent[p][0] - committed[p]) * 1000 for p in done],
        publish_to_confirm_ms=[(publisher.sent[p][1] - publisher.sent[p][0]) * 1000 for p in done],
        publish_to_consumer_ms=[(consumed[p] - publisher.sent[p][0]) * 1000 for p in done],
    )


async def delete_queues(broker_url: str, names: list[str]) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)


# -- the run --------------------------------------------------------------------------------


async def benchmark(args: argparse.Namespace, database_url: str, broker_url: str) -> None:
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    orion = Orion(Settings(), database_url)
    throughput: Throughput | None = None
    latency: Latency | None = None
    try:
        await orion.migrate()
        if args.only in {None, "throughput"}:
            print(
                f"throughput: {args.events} outbox rows per round, batch {args.batch}, "
                f"{args.rounds} rounds alternated",
                flush=True,
            )
            throughput = await measure_throughput(
                orion, broker_url, events=args.events, batch=args.batch, rounds=args.rounds
            )
        if args.only in {None, "latency"}:
            print(
                f"latency: {args.rate:g} events/s for {args.warmup:g} s of warm-up "
                f"+ {args.duration:g} s measured",
                flush=True,
            )
            latency = await measure_latency(
                orion, broker_url, rate=args.rate, seconds=args.duration, warmup=args.warmup
            )
    finally:
        await orion.aclose()
    if throughput is not None:
        report_throughput(args, throughput)
    if latency is not None:
        report_latency(args, latency)


def report_throughput(args: argparse.Namespace, throughput: Throughput) -> None:
    raw, relay = statistics.median(throughput.raw), statistics.median(throughput.relay)
    print()
    print(
        f"Outbox -> RabbitMQ, {args.events} ProductCreatedV1 rows, publisher confirms, "
        f"mandatory, quorum queue, batches of {args.batch} gathered; median of {args.rounds}:"
    )
    print(f"  {'raw aio-pika':<14}{raw:>9.0f} events/s")
    print(f"  {'OutboxRelay':<14}{relay:>9.0f} events/s")
    print(f"  {'relay / raw':<14}{relay / raw:>9.2f}   (aim: 0.70 or better)")


def report_latency(args: argparse.Namespace, latency: Latency) -> None:
    samples = latency.commit_to_consumer_ms
    print()
    print(
        f"Commit -> consumer commit at {args.rate:g} events/s for {args.duration:g} s "
        f"({len(samples)} of {latency.events} events consumed; "
        f"{latency.effects} effect rows in all, warm-up included):"
    )
    if not samples:
        print("  no event reached the consumer")
        return
    rows = {
        "commit -> consumer commit": samples,
        "  commit -> relay publishes": latency.commit_to_publish_ms,
        "  publish -> confirmed": latency.publish_to_confirm_ms,
        "  publish -> consumer commit": latency.publish_to_consumer_ms,
    }
    print(f"  {'':<30}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    for name, values in rows.items():
        print(
            f"  {name:<30}{percentile(values, 50):>8.1f}{percentile(values, 99):>8.1f}"
            f"{max(values):>8.1f}"
        )
    print(f"  (aim: p99 under 50 ms; p99 is {percentile(samples, 99):.1f} ms)")
    print(f"  {latency.cpu}")
    print(f"  {latency.stalls}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events", type=int, default=20_000, help="outbox rows per throughput round (20000)"
    )
    parser.add_argument(
        "--batch", type=int, default=200, help="the relay's batch size, and raw's (200)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="throughput rounds per side, alternated (3)"
    )
    parser.add_argument(
        "--rate", type=float, default=200.0, help="events/s committed for the latency run (200)"
    )
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of measured latency run (10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of latency run not counted (1)"
    )
    parser.add_argument(
        "--broker-url",
        default=BROKER,
        help=f"RabbitMQ; a throwaway vhost is made on it with rabbitmqctl ({BROKER})",
    )
    parser.add_argument(
        "--only",
        choices=("throughput", "latency"),
        help="run one of the two measurements (for profiling); both by default",
    )
    args = parser.parse_args()
    if shutil.which("rabbitmqctl") is None:
        sys.exit("rabbitmqctl is not on PATH: it makes the benchmark's throwaway vhost")
    configure_logging(level="WARNING", fmt="console")
    print(load_average(), flush=True)
    with throwaway_database() as database, throwaway_vhost(args.broker_url) as broker_url:
        try:
            uvloop.run(benchmark(args, database_url(database), broker_url))
        except (asyncio.CancelledError, KeyboardInterrupt):
            sys.exit("interrupted")


if __name__ == "__main__":
    main()
