"""GET /metrics as Prometheus scrapes it, on the metrics port (``--metrics-port``, never the
API's): each family there, and values that move as a checkout goes through (in-process
broker), or that grow while the broker is unreachable."""

from __future__ import annotations

import asyncio

import aio_pika
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.messaging.broker import BrokerUnavailable
from tests.conftest import Client, shop_settings
from tests.fakes.loopback import free_port
from tests.integration.messaging.conftest import broker_url
from tests.integration.ordering.helpers import checkout, customer, product, put_item, settle
from tests.integration.ordering.test_saga_rabbitmq import shop

__all__ = ["broker_url", "shop"]  # fixtures shared with the messaging and saga tests

FAMILIES = {
    "orion_http_requests",
    "orion_http_request_duration_seconds",
    "orion_outbox_pending",
    "orion_outbox_oldest_pending_age_seconds",
    "orion_outbox_parked",
    "orion_relay_messages",
    "orion_consumer_messages",
    "orion_consumer_handling_seconds",
    "orion_circuit_breaker_state",
    "orion_db_pool_connections_in_use",
    "orion_orders",
    "orion_revenue_minor_units",
    "orion_payments",
    "orion_metrics_probes_failed",
}


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def exposition(shop: Orion) -> str:
    """A scrape of what ``orion serve --metrics-port`` serves there."""
    response = await shop.create_ops_app(shared_state=True).test_client().get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return str(await response.get_data(as_text=True))


async def scrape(shop: Orion) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(await exposition(shop))
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_checkout_moves_the_http_outbox_relay_consumer_and_order_metrics(
    client: Client, orion: Orion
) -> None:
    await orion.start_consumers()
    headers = await customer(orion)
    await put_item(client, headers, await product(orion, price=1_250), quantity=2)
    await settle(orion)
    names = {family.name for family in text_string_to_metric_families(await exposition(orion))}
    assert names >= FAMILIES
    before = await scrape(orion)
    assert value(before, "orion_metrics_probes_failed") == 0

    assert (await checkout(client, headers)).status_code == 202
    waiting = await scrape(orion)
    assert value(waiting, "orion_outbox_pending", module="ordering") == 1
    assert value(waiting, "orion_outbox_oldest_pending_age_seconds", module="ordering") > 0
    assert value(waiting, "orion_orders_total", event="placed", currency="EUR") == (
        value(before, "orion_orders_total", event="placed", currency="EUR") + 1
    )
    route = {"method": "POST", "route": "/api/v1/orders"}
    assert value(waiting, "orion_http_requests_total", status="202", **route) == (
        value(before, "orion_http_requests_total", status="202", **route) + 1
    )
    assert value(waiting, "orion_http_request_duration_seconds_count", **route) == (
        value(before, "orion_http_request_duration_seconds_count", **route) + 1
    )

    await settle(orion)
    after = await scrape(orion)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert value(after, "orion_outbox_pending", module="ordering") == 0
    assert value(after, "orion_outbox_oldest_pending_age_seconds", module="ordering") == 0
    assert grew("orion_orders_total", event="paid", currency="EUR") == 1
    assert grew("orion_revenue_minor_units_total", currency="EUR") == 2_500
    assert grew("orion_relay_messages_total", module="ordering", outcome="published") >= 2
    assert grew("orion_relay_messages_total", module="payments", outcome="published") == 1
    assert grew("orion_consumer_messages_total", consumer="payments", outcome="processed") == 1
    assert grew("orion_consumer_handling_seconds_count", consumer="notifications") >= 2
    assert value(after, "orion_circuit_breaker_state", breaker="payments.provider", state="closed")
    assert grew("orion_payments", status="captured") == 1
    idle = value(after, "orion_db_pool_connections_in_use")
    async with orion.engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")
        held = await scrape(orion)
    assert value(held, "orion_db_pool_connections_in_use") == idle + 1


async def test_the_oldest_pending_age_grows_while_the_broker_is_unreachable(
    orion: Orion, database_url: str
) -> None:
    cut_off = Orion(
        shop_settings(broker_url=SecretStr(f"amqp://guest:guest@127.0.0.1:{free_port()}/")),
        database_url,
    )
    try:
        async with cut_off.create_app().test_app() as app:
            client = app.test_client()
            headers = await customer(cut_off)
            await put_item(client, headers, await product(cut_off))
            assert (await checkout(client, headers)).status_code == 202
            relay = cut_off.relay()
            ages = []
            for _ in range(3):
                try:
                    await relay.relay_once()
                except BrokerUnavailable:
                    pass
                else:
                    raise AssertionError("the broker on a closed port took the messages")
                samples = await scrape(cut_off)
                ages.append(
                    value(samples, "orion_outbox_oldest_pending_age_seconds", module="ordering")
                )
                assert value(samples, "orion_outbox_pending", module="ordering") == 1
            assert ages == sorted(ages)
            assert ages[0] < ages[-1]
            # the broker's own reading fails, and says so, without hiding the others
            assert value(samples, "orion_metrics_probes_failed") == 1
    finally:
        await cut_off.aclose()


async def test_a_dead_lettered_message_shows_in_the_dlq_depth_and_the_consumer_counter(
    shop: Orion, broker_url: str
) -> None:
    async with shop.create_app().test_app():
        before = await scrape(shop)
        assert value(before, "orion_dead_letter_queue_depth", queue="payments.ordering.dlq") == 0
        assert value(before, "orion_metrics_probes_failed") == 0
        connection = await aio_pika.connect(broker_url)
        async with connection:
            channel = await connection.channel()
            await channel.default_exchange.publish(
                aio_pika.Message(b"not an envelope"), routing_key="payments.ordering"
            )
        for _ in range(100):  # the consumer dead-letters it at once: bounded wait
            after = await scrape(shop)
            if value(after, "orion_dead_letter_queue_depth", queue="payments.ordering.dlq"):
                break
            await asyncio.sleep(0.1)
    assert value(after, "orion_dead_letter_queue_depth", queue="payments.ordering.dlq") == 1
    dead = {"consumer": "payments", "outcome": "dead_lettered"}
    assert value(after, "orion_consumer_messages_total", **dead) == (
        value(before, "orion_consumer_messages_total", **dead) + 1
    )


async def test_cache_lookups_and_rate_limit_refusals_are_counted(
    client: Client, orion: Orion
) -> None:
    pen = await product(orion)
    before = await scrape(orion)
    for _ in range(2):  # a miss, then a hit
        assert (await client.get(f"/api/v1/products/{pen}")).status_code == 200
    for _ in range(6):  # the sixth wrong password of a minute is refused
        await client.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong one!"}
        )
    after = await scrape(orion)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("orion_cache_lookups_total", cache="catalog", outcome="miss") == 1
    assert moved("orion_cache_lookups_total", cache="catalog", outcome="hit") == 1
    assert moved("orion_rate_limited_total", limit="5/minute") == 1


async def test_the_api_port_does_not_serve_metrics(client: Client) -> None:
    """Revenue and order counts are for the operator: the API's port answers 404."""
    response = await client.get("/metrics")
    assert response.status_code == 404
