"""Prometheus metrics: what happens (counters and histograms, kept by each process) and what
is (gauges read from the database and the broker when ``/metrics`` is scraped).

Several processes serving one port (Hypercorn workers): set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory shared by them before they start. Each process then writes its counters
to files there and whichever answers a scrape sums them all. The scrape-time gauges (outbox,
dead letters, orders) read shared state, so any process answers them alike.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

import sqlalchemy as sa
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from quart import Blueprint, Response
from sqlalchemy.ext.asyncio import AsyncEngine

Probe = Callable[[], Awaitable[Iterable[Metric]]]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

HTTP_REQUESTS = Counter(
    "orion_http_requests",
    "HTTP requests answered, by route and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "orion_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RELAY_MESSAGES = Counter(
    "orion_relay_messages",
    "Outbox rows the relay handled, by module and outcome (published, failed, parked).",
    ["module", "outcome"],
)
CONSUMER_MESSAGES = Counter(
    "orion_consumer_messages",
    "Messages a consumer handled, by outcome (processed, retried, dead_lettered).",
    ["consumer", "outcome"],
)
CONSUMER_DURATION = Histogram(
    "orion_consumer_handling_seconds",
    "Time a consumer took over one message (successful or not).",
    ["consumer"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CACHE_LOOKUPS = Counter(
    "orion_cache_lookups",
    "Read-through cache lookups, by cache and outcome (hit, miss, coalesced, error).",
    ["cache", "outcome"],
)
RATE_LIMITED = Counter(
    "orion_rate_limited",
    "Requests refused by a rate limit, by the limit that refused them.",
    ["limit"],
)
DB_POOL_IN_USE = Gauge(
    "orion_db_pool_connections_in_use",
    "Database connections checked out of the pool, summed over live processes.",
    multiprocess_mode="livesum",
)


def observe_pool(engine: AsyncEngine) -> None:
    """Keeps ``orion_db_pool_connections_in_use`` by the pool's own events."""
    sync_engine = engine.sync_engine
    sa.event.listen(sync_engine, "checkout", lambda *_: DB_POOL_IN_USE.inc())
    sa.event.listen(sync_engine, "checkin", lambda *_: DB_POOL_IN_USE.dec())


def outbox_probe(engine: AsyncEngine, outboxes: Mapping[str, sa.Table]) -> Probe:
    """Per module: rows waiting to be published, the age of the oldest, rows parked."""

    async def probe() -> list[Metric]:
        pending = GaugeMetricFamily(
            "orion_outbox_pending",
            "Outbox rows not yet published (parked excluded).",
            None,
            ["module"],
        )
        oldest = GaugeMetricFamily(
            "orion_outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none).",
            None,
            ["module"],
        )
        parked = GaugeMetricFamily(
            "orion_outbox_parked", "Outbox rows parked for an operator.", None, ["module"]
        )
        async with engine.connect() as connection:
            for module, table in outboxes.items():
                waiting = table.c.published_at.is_(None) & table.c.parked_at.is_(None)
                row = (
                    await connection.execute(
                        sa.select(
                            sa.func.count(),
                            sa.func.coalesce(
                                sa.func.extract(
                                    "epoch", sa.func.now() - sa.func.min(table.c.created_at)
                                ),
                                0,
                            ),
                        ).where(waiting)
                    )
                ).one()
                pending.add_metric([module], row[0])
                oldest.add_metric([module], float(row[1]))
                parked.add_metric(
                    [module],
                    await connection.scalar(
                        sa.select(sa.func.count()).where(table.c.parked_at.is_not(None))
                    )
                    or 0,
                )
        return [pending, oldest, parked]

    return probe


def queue_depth_probe(depths: Callable[[], Awaitable[Mapping[str, int]]]) -> Probe:
    async def probe() -> list[Metric]:
        family = GaugeMetricFamily(
            "orion_dead_letter_queue_depth", "Messages in each dead-letter queue.", None, ["queue"]
        )
        for queue, depth in sorted((await depths()).items()):
            family.add_metric([queue], depth)
        return [family]

    return probe


def breakers_probe(circuits: Mapping[str, Callable[[], Awaitable[str]]]) -> Probe:
    """Each circuit breaker's state as its store last recorded it: 1 for the current state,
    0 for the others."""

    async def probe() -> list[Metric]:
        family = GaugeMetricFamily(
            "orion_circuit_breaker_state",
            "1 for each breaker's current state.",
            None,
            ["breaker", "state"],
        )
        for breaker, read in sorted(circuits.items()):
            current = await read()
            for state in ("closed", "opened", "half-opened"):
                family.add_metric([breaker, state], 1 if state == current else 0)
        return [family]

    return probe


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


class _Process(Collector):
    """This process's own instruments (single-process mode)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


async def render(probes: Iterable[Probe]) -> tuple[bytes, list[str]]:
    """The exposition text, and the probes that failed (their families are left out and
    ``orion_metrics_probe_failed`` says which)."""
    families: list[Metric] = []
    failed: list[str] = []
    for probe in probes:
        try:
            families.extend(await probe())
        except Exception as error:  # a dependency down must not hide the other metrics
            failed.append(f"{getattr(probe, '__qualname__', 'probe')}: {type(error).__name__}")
    failures = GaugeMetricFamily(
        "orion_metrics_probes_failed", "Scrape-time readings that failed this scrape."
    )
    failures.add_metric([], len(failed))
    families.append(failures)
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
    else:
        registry.register(_Process())
    registry.register(_Families(families))
    return generate_latest(registry), failed


def metrics_blueprint(probes: Sequence[Probe]) -> Blueprint:
    blueprint = Blueprint("metrics", __name__)

    @blueprint.get("/metrics")
    async def metrics() -> Response:
        body, _ = await render(probes)
        return Response(body, content_type=CONTENT_TYPE)

    return blueprint
