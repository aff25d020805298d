"""The probe consumer as a process of its own, so that tests can SIGKILL it.

    python -m tests.integration.messaging.probe_worker DATABASE_URL NAME rabbitmq BROKER_URL
    python -m tests.integration.messaging.probe_worker DATABASE_URL NAME inprocess

``rabbitmq``: consumes ``NAME.catalog`` until SIGTERM. ``inprocess``: relays the catalog's
outbox into the probe through the in-process broker, as ``orion serve`` does on the embedded
default. ``PROBE_HOLD_AFTER_COMMIT_S`` makes each message wait after its commit, before
its ack (or before its outbox row is marked): the window a crash test aims at.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

import uvloop

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker
from orion.shared_kernel.adapters.messaging.rabbitmq import RabbitMQ
from tests.conftest import shop_settings
from tests.integration.messaging.conftest import WORKER_DELAYS_MS, Probe, relay

HOLD_S = float(os.environ.get("PROBE_HOLD_AFTER_COMMIT_S", "0"))


async def main(database_url: str, name: str, mode: str, broker_url: str | None) -> None:
    orion = Orion(shop_settings(), database_url)
    probe = Probe(orion.engine, name=name)
    inner = probe.subscription()

    async def handle(envelope: Any) -> None:
        await inner.handle(envelope)
        print(f"committed {envelope.message_id}", flush=True)
        await asyncio.sleep(HOLD_S)

    subscription = Subscription(
        consumer=inner.consumer, producer=inner.producer, types=inner.types, handle=handle
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    if mode == "rabbitmq":
        assert broker_url is not None
        broker = RabbitMQ(broker_url, retry_delays_ms=WORKER_DELAYS_MS)
        await broker.start([subscription])
        print("ready", flush=True)
        await stop.wait()
        await broker.close()
    else:
        in_process = InProcessBroker()
        await in_process.start([subscription])
        print("ready", flush=True)
        await relay(orion, in_process, poll_interval_s=0.05, backoff_base_s=0.0).run(stop)
    await orion.aclose()


if __name__ == "__main__":
    configure_logging(level="WARNING", fmt="json")
    database, consumer, kind, *rest = sys.argv[1:]
    uvloop.run(main(database, consumer, kind, rest[0] if rest else None))
