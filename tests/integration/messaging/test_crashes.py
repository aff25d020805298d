"""Processes killed with SIGKILL at the worst moment: nothing is lost, nothing happens twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.messaging.rabbitmq import RabbitMQ
from tests.integration.messaging.conftest import (
    WORKER_DELAYS_MS,
    Probe,
    check,
    create_products,
    delete_topology,
    relay,
)
from tests.log_hygiene import process_log

ROOT = Path(__file__).parents[3]


class Worker:
    def __init__(self, *args: str, hold_s: float = 0.0) -> None:
        env = {**os.environ, "PROBE_HOLD_AFTER_COMMIT_S": str(hold_s)}
        with process_log("probe-worker") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.messaging.probe_worker", *args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self.lines: list[str] = []

    async def wait_for(self, prefix: str, *, within_s: float = 60.0) -> str:
        """The worker's next line starting with ``prefix``; a deadline, not a timing (a loaded
        machine starts Python slowly)."""
        loop = asyncio.get_running_loop()
        assert self.process.stdout is not None
        while True:
            line = await asyncio.wait_for(
                loop.run_in_executor(None, self.process.stdout.readline), within_s
            )
            if not line:
                raise AssertionError(f"worker exited before {prefix!r}: {self.lines}")
            self.lines.append(line.strip())
            if line.startswith(prefix):
                return line.strip()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


async def test_consumer_killed_between_commit_and_ack_is_redelivered_once(
    orion: Orion, probe: Probe, broker_url: str, database_url: str, workers: list[Worker]
) -> None:
    queue = f"{probe.name}.catalog"
    try:
        first = Worker(database_url, probe.name, "rabbitmq", broker_url, hold_s=30)
        workers.append(first)
        await first.wait_for("ready")
        await create_products(orion, 1)
        publisher = RabbitMQ(broker_url)
        try:
            await relay(orion, publisher).relay_once()
        finally:
            await publisher.close()
        await first.wait_for("committed")  # its effect is committed, its ack not sent
        first.kill()
        second = Worker(database_url, probe.name, "rabbitmq", broker_url)
        workers.append(second)
        await second.wait_for("committed")  # redelivered to the next worker...

        report = await check(orion.engine)  # ...and dropped by the inbox: one effect
        assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())
    finally:
        await delete_topology(broker_url, queue, WORKER_DELAYS_MS)


async def test_in_process_broker_killed_mid_stream_loses_nothing(
    orion: Orion, probe: Probe, database_url: str, workers: list[Worker]
) -> None:
    first = Worker(database_url, probe.name, "inprocess", hold_s=0.02)
    workers.append(first)
    await first.wait_for("ready")
    await create_products(orion, 200)
    for _ in range(20):
        await first.wait_for("committed")
    first.kill()  # mid-stream: some effects committed, their rows maybe not marked
    report = await check(orion.engine)
    assert report.lost  # the kill did interrupt the stream
    second = Worker(database_url, probe.name, "inprocess")
    workers.append(second)

    async def settled() -> bool:
        return not (await check(orion.engine)).lost

    for _ in range(500):
        if await settled():
            break
        await asyncio.sleep(0.05)
    report = await check(orion.engine)
    assert report.committed == 200
    assert (report.lost, report.duplicated, report.unexpected) == (set(), {}, set())
