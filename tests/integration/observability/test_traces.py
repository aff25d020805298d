"""One trace from the click to the email: the HTTP request's span, then each hop's publish
(made later by the relay, from the context saved in the outbox row) and each consumer's
span, children of the request's trace (SDK tracer provider, spans kept in memory)."""

from __future__ import annotations

import asyncio

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import outbox
from tests.conftest import Client
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

__all__ = ["broker_url", "shop"]  # fixtures shared with the messaging and saga tests


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
