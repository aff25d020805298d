"""RabbitMQ gone mid-stream: writes go on, the backlog waits in the outbox, and once the
broker is back every event takes effect exactly once.

The outage lasts ORION_TEST_BROKER_OUTAGE_S seconds (30 by default, as the issue asks). It is
a loopback proxy between Orion and the broker that cuts every connection and refuses new ones
(``tests/fakes/tcp_proxy.py``): the broker itself keeps serving every other test run on the
machine."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.messaging.rabbitmq import RabbitMQ
from tests.conftest import Client
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.messaging.conftest import Probe, check, delete_topology, relay

OUTAGE_S = float(os.environ.get("ORION_TEST_BROKER_OUTAGE_S", "30"))
EVENTS = 2_000
DELAYS_MS = [50, 100]


async def test_broker_outage_loses_nothing_and_blocks_no_write(
    orion: Orion, probe: Probe, client: Client, broker_url: str, admin: dict[str, str]
) -> None:
    broker = urlsplit(broker_url)
    async with TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672) as proxy:
        through_proxy = broker._replace(
            netloc=f"{broker.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}"
        )
        await outage(orion, probe, client, admin, proxy, broker_url, through_proxy.geturl())


async def outage(
    orion: Orion,
    probe: Probe,
    client: Client,
    admin: dict[str, str],
    proxy: TcpProxy,
    broker_url: str,
    proxied_url: str,
) -> None:
    consumer = RabbitMQ(proxied_url, retry_delays_ms=DELAYS_MS)
    publisher = RabbitMQ(proxied_url)
    stop = asyncio.Event()
    queue = probe.subscription().queue
    try:
        await consumer.start([probe.subscription()])
        worker = relay(orion, publisher, poll_interval_s=0.1)
        relaying = asyncio.create_task(worker.run(stop))
        loop = asyncio.get_running_loop()
        started = loop.time()
        statuses: list[int] = []
        stopped_at = restarted_at = None
        for number in range(EVENTS):
            elapsed = loop.time() - started
            if stopped_at is None and number == EVENTS // 4:
                proxy.go_down()
                stopped_at = loop.time()
            if stopped_at and restarted_at is None and loop.time() - stopped_at >= OUTAGE_S:
                proxy.come_back()
                restarted_at = loop.time()
            response = await client.post(
                "/api/v1/admin/products",
                headers=admin,
                json={
                    "sku": f"OUT-{number}",
                    "name": "Outage",
                    "category": "Probe",
                    "price": {"amount": 100, "currency": "EUR"},
                },
            )
            statuses.append(response.status_code)
            # spread the stream so that the outage falls in its middle
            await asyncio.sleep(max(0.0, number * (OUTAGE_S * 1.5 / EVENTS) - elapsed))
        if restarted_at is None:
            assert stopped_at is not None
            await asyncio.sleep(max(0.0, OUTAGE_S - (loop.time() - stopped_at)))
            proxy.come_back()
        assert statuses == [201] * EVENTS  # every write succeeded, outage or not

        deadline = loop.time() + 120
        report = await check(orion.engine)
        while report.lost and loop.time() < deadline:
            await asyncio.sleep(0.2)
            report = await check(orion.engine)
        assert worker.counts["paused"] > 0  # the relay did notice the outage
    finally:
        stop.set()
        await asyncio.wait_for(relaying, 30)
        await consumer.close()
        await publisher.close()
        await delete_topology(broker_url, queue, DELAYS_MS)
    assert report.committed == EVENTS
    assert (len(report.lost), report.duplicated, report.unexpected) == (0, {}, set())
