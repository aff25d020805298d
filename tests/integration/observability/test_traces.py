"""One trace from the click to the email: the HTTP request's span, then each hop's publish
(made later by the relay, from the context saved in the outbox row) and each consumer's
span, children of the request's trace (SDK tracer provider, spans kept in memory). Under a
request's span, the spans of its SQL, Redis commands and outgoing HTTP, with no value in
them: no bound parameter, no cached payload."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import outbox
from orion.shared_kernel.adapters.exchange_rates import currency_converter
from tests.conftest import REDIS_URL, Client, shop_settings, shop_with_rates
from tests.fakes.clock import FrozenClock
from tests.fakes.rates_publisher import rates_publisher
from tests.integration.catalog.test_product_api import create
from tests.integration.messaging.conftest import broker_url
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
    settle,
)
from tests.integration.ordering.test_saga_rabbitmq import settled, shop
from tests.log_hygiene import secret

__all__ = ["broker_url", "shop"]  # fixtures shared with the messaging and saga tests

ACCESS_KEY = secret("publisher access key", "publisher-access-key")


def named(spans: list[ReadableSpan], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


async def test_the_payment_and_notification_workers_spans_join_the_checkouts_trace(
    client: Client, orion: Orion, spans: list[ReadableSpan]
) -> None:
    await orion.start_consumers()
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))
    await settle(orion)
    spans.clear()

    response = await client.post(
        "/api/v1/orders",
        json=ORDER_BODY,
        headers={
            **headers,
            "Idempotency-Key": "trace-1",
            # a caller's trace is continued, not replaced
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
    )
    assert response.status_code == 202
    [server] = named(spans, "POST /api/v1/orders")
    assert server.kind is SpanKind.SERVER
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/v1/orders"
    assert server.attributes["http.response.status_code"] == 202
    trace_id = server.context.trace_id
    assert format(trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert server.parent is not None
    assert server.parent.span_id == 0xB7AD6B7169203331
    async with orion.engine.connect() as connection:
        [saved] = (await connection.execute(outbox.select())).mappings().all()
    assert saved["traceparent"].split("-")[1:3] == [
        "0af7651916cd43dd8448eb211c80319c",
        format(server.context.span_id, "016x"),
    ]

    await settle(orion)  # the relay publishes after the request has ended
    payments = named(spans, "payments process ")
    notifications = named(spans, "notifications process ")
    assert payments
    assert notifications
    assert {span.context.trace_id for span in [*payments, *notifications]} == {trace_id}
    assert all(span.kind is SpanKind.CONSUMER for span in [*payments, *notifications])
    by_id = {span.context.span_id: span for span in spans}
    for consumed in [*payments, *notifications]:  # each under a publish, under the request
        assert consumed.parent is not None
        publish = by_id[consumed.parent.span_id]
        assert publish.kind is SpanKind.PRODUCER
        assert publish.context.trace_id == trace_id
    first_publish = named(spans, "publish ordering.order_placed.v1")[0]
    assert first_publish.parent is not None
    assert first_publish.parent.span_id == server.context.span_id
    assert first_publish.start_time is not None
    assert server.end_time is not None
    assert first_publish.start_time > server.end_time
    paid_email = [s for s in notifications if s.name.endswith("ordering.order_paid.v1")]
    assert paid_email  # reached through payments' event, still the same trace


async def test_a_request_without_a_caller_trace_starts_one(
    client: Client, orion: Orion, spans: list[ReadableSpan]
) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))
    assert (await checkout(client, headers)).status_code == 202
    [server] = named(spans, "POST /api/v1/orders")
    assert server.parent is None
    async with orion.engine.connect() as connection:
        [saved] = (await connection.execute(outbox.select())).mappings().all()
    assert saved["traceparent"].startswith(
        f"00-{server.context.trace_id:032x}-{server.context.span_id:016x}-"
    )


async def test_the_trace_crosses_rabbitmq_headers_into_the_workers(
    shop: Orion, spans: list[ReadableSpan]
) -> None:
    """The relay and the consumers as `orion serve` runs them, on RabbitMQ: the context goes
    out in the AMQP headers and comes back in the consumers' spans."""
    async with shop.create_app().test_app() as app:
        client = app.test_client()
        headers = await customer(shop)
        await put_item(client, headers, await product(shop))
        response = await checkout(client, headers)
        assert response.status_code == 202
        assert await settled(shop) == {"paid": 1}
        paid_email = "notifications process ordering.order_paid.v1"
        for _ in range(100):  # the email's consumer may still be at work: bounded wait
            if named(spans, paid_email):
                break
            await asyncio.sleep(0.1)
    [server] = named(spans, "POST /api/v1/orders")
    workers = [*named(spans, "payments process "), *named(spans, paid_email)]
    assert len(workers) >= 2
    assert {span.context.trace_id for span in workers} == {server.context.trace_id}


@pytest.fixture
async def traced_shop(
    spans: list[ReadableSpan], orion: Orion, database_url: str, redis: aioredis.Redis
) -> AsyncIterator[Orion]:
    """An Orion made once tracing is configured (its engine has SQL spans), with its cache
    and rate limits in Redis, and its exchange rates fetched over HTTP from a publisher on
    loopback on the first conversion. ``orion`` empties the tables first."""
    async with rates_publisher() as publisher:
        rates = shop_settings(  # in memory (no Redis here), so the first conversion fetches
            exchange_rates_source="ecb",
            exchange_rates_url=f"{publisher.url}?access_key={ACCESS_KEY}",  # as some want it
            exchange_rates_connect_timeout_s=1,
            exchange_rates_read_timeout_s=1,
            exchange_rates_max_attempts=1,
            exchange_rates_breaker_threshold=2,
        )
        converter = currency_converter(settings=rates, clock=FrozenClock())
        async with shop_with_rates(converter, database_url, redis_url=SecretStr(REDIS_URL)) as shop:
            yield shop


async def traced_get(shop: Orion, spans: list[ReadableSpan], path: str) -> ReadableSpan:
    async with shop.create_app().test_app() as app:
        spans.clear()
        response = await app.test_client().get(path)
        assert response.status_code == 200, await response.get_data(as_text=True)
    [server] = [span for span in spans if span.kind is SpanKind.SERVER]
    return server


def under(server: ReadableSpan, spans: list[ReadableSpan]) -> dict[str, list[ReadableSpan]]:
    """The SQL, Redis and outgoing HTTP spans of ``server``'s trace, each checked to have
    ``server`` as an ancestor (its parent, or its parent's parent...)."""
    by_id = {span.context.span_id: span for span in spans}
    found: dict[str, list[ReadableSpan]] = {"sql": [], "redis": [], "http": []}
    for span in spans:
        attributes = span.attributes or {}
        kind = {"postgresql": "sql", "redis": "redis"}.get(str(attributes.get("db.system")))
        if span.kind is SpanKind.CLIENT and ("http.url" in attributes or "url.full" in attributes):
            kind = "http"
        if kind is None or span.context.trace_id != server.context.trace_id:
            continue
        parent = span.parent
        while parent is not None and parent.span_id != server.context.span_id:
            above = by_id.get(parent.span_id)
            parent = None if above is None else above.parent
        assert parent is not None, f"{span.name} is not under {server.name}"
        found[kind].append(span)
    return found


async def stored(redis: aioredis.Redis, pattern: str) -> bytes:
    """What Redis holds under the keys ``pattern`` matches: strings, and hashes' values."""
    held = []
    async for key in redis.scan_iter(match=pattern):
        kind = await redis.type(key)
        if kind == b"string":
            held.append(await redis.get(key) or b"")
        elif kind == b"hash":
            held.extend((await redis.hgetall(key)).values())
    return b" ".join(held)


def values(span: ReadableSpan) -> str:
    return " ".join(str(value) for value in (span.attributes or {}).values())


async def test_a_product_reads_trace_has_its_sql_redis_and_http_spans_without_values(
    client: Client,
    admin: dict[str, str],
    traced_shop: Orion,
    spans: list[ReadableSpan],
    redis: aioredis.Redis,
) -> None:
    marker = f"payload-{uuid.uuid4().hex}"
    created = await create(client, admin, sku=f"SKU-{uuid.uuid4().hex[:8]}", description=marker)

    server = await traced_get(traced_shop, spans, f"/api/v1/products/{created['id']}?currency=USD")

    found = under(server, spans)
    assert found["sql"], "no SQL span"  # the product, read from the database on a miss
    assert found["redis"], "no Redis span"
    [fetch] = found["http"]  # the rates, from the publisher on loopback
    assert fetch.attributes is not None
    url = str(fetch.attributes.get("http.url", fetch.attributes.get("url.full")))
    assert url.endswith("/stats/eurofxref/eurofxref-daily.xml")  # no query, no access key
    assert ACCESS_KEY not in values(fetch)
    assert marker.encode() in await stored(redis, f"*{created['id']}*")  # the payload
    written = {"SET", "SETEX", "PSETEX", "HSET", "HMSET"}
    writes = [span for span in found["redis"] if written & set(span.name.upper().split())]
    assert writes, [span.name for span in found["redis"]]
    for span in found["redis"]:  # each command, its arguments as ?: no key, no value
        assert span.attributes is not None
        for command in str(span.attributes["db.statement"]).splitlines():
            assert set(command.split()[1:]) <= {"?"}, command
        assert marker not in values(span)
        assert created["id"] not in values(span)
    for span in found["sql"]:  # placeholders, never the bound product id
        assert created["id"] not in values(span)
        assert marker not in values(span)
    assert any("$1" in str((span.attributes or {}).get("db.statement")) for span in found["sql"])


async def test_sqlalchemys_statements_have_spans_without_their_parameters(
    client: Client, admin: dict[str, str], traced_shop: Orion, spans: list[ReadableSpan]
) -> None:
    term = f"term{uuid.uuid4().hex[:12]}"
    await create(client, admin, sku=f"SKU-{uuid.uuid4().hex[:8]}", name=f"Mug {term}")

    server = await traced_get(traced_shop, spans, f"/api/v1/products?q={term}&currency=USD")

    found = under(server, spans)
    statements = [
        span
        for span in found["sql"]
        if span.instrumentation_scope is not None
        and span.instrumentation_scope.name == "opentelemetry.instrumentation.sqlalchemy"
        and "websearch_to_tsquery" in str((span.attributes or {}).get("db.statement"))
    ]
    assert statements, [span.name for span in found["sql"]]  # the search, through SQLAlchemy
    assert all(term not in values(span) for span in found["sql"])
    assert found["redis"]  # the rate limit's counters
    assert found["http"]
    assert all(term not in values(span) for span in found["http"])
