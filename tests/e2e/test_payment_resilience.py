"""The payment worker under faults, as deployed: API and relay, the other modules' worker
and the payments worker as separate processes on RabbitMQ, PostgreSQL and Redis (the
breaker's state), charging a real provider on loopback. Whatever happens (the provider down
for 30 s, the worker killed five times, a SIGTERM under load), no order is lost, none is
charged twice, and every order ends paid."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from tests.conftest import BROKER_URL, REDIS_URL
from tests.e2e.deployment import (
    DELAYS_MS,
    PASSWORD,
    buy,
    new_pen,
    orion_process,
    shopper,
    sign_in,
    stopped,
)
from tests.e2e.test_serve import Server, orion, orion_env
from tests.fakes.provider import API_KEY, FakeProvider, answer, fake_provider

OUTAGE_S = float(os.environ.get("ORION_TEST_PROVIDER_OUTAGE_S", "30"))
SETTLED_WITHIN_S = 90


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    """The fake provider, served by its own event loop in a thread, for the subprocesses."""
    ready: list[FakeProvider] = []
    stop = threading.Event()

    async def serve() -> None:
        async with fake_provider() as running:
            ready.append(running)
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not ready and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield ready[0]
    finally:
        stop.set()
        thread.join(timeout=5)


@pytest.fixture
def breaker_keys() -> Iterator[None]:
    """No breaker state from an earlier run: purgatory keeps it in Redis, by circuit name."""
    client = redis.Redis.from_url(REDIS_URL)

    def clear() -> None:
        for key in client.scan_iter("cbr::payments.*"):
            client.delete(key)

    clear()
    yield
    clear()
    client.close()


class Shop:
    """The processes of a split deployment, and a client that places orders."""

    def __init__(self, database: str, provider: FakeProvider, data_dir: Path) -> None:
        self.env = orion_env(
            ORION_DATABASE_URL=database,
            ORION_BROKER_URL=BROKER_URL,
            ORION_REDIS_URL=REDIS_URL,
            ORION_DATA_DIR=str(data_dir),
            ORION_RETRY_DELAYS_MS=str(DELAYS_MS),
            ORION_PAYMENT_GATEWAY="http",
            ORION_PAYMENT_PROVIDER_URL=provider.url,
            ORION_PAYMENT_PROVIDER_KEY=API_KEY,
            ORION_PAYMENT_READ_TIMEOUT_S="1",
            ORION_PAYMENT_RETRY_BUDGET_S="3",
            ORION_PAYMENT_BREAKER_THRESHOLD="5",
            ORION_PAYMENT_BREAKER_TTL_S="5",
            ORION_PAYMENT_RECONCILE_AFTER_S="5",
            ORION_HOUSEKEEPING_INTERVAL_S="2",
            ORION_REGISTER_LIMIT_PER_ADDRESS="1000/hour",  # every customer comes from here
            ORION_LOG_LEVEL="WARNING",
        )
        assert orion("migrate", env=self.env).returncode == 0
        self.api = Server(self.env, "--no-workers")
        self.others = self._start("catalog,ordering,notifications")
        self.payments = self._start("payments")
        self.api.wait_ready()

    def _start(self, modules: str) -> subprocess.Popen[bytes]:
        return orion_process("worker", "--module", modules, env=self.env)

    def restart_payments(self) -> None:
        self.payments = self._start("payments")

    def place_orders(self, customers: int, each: int) -> list[tuple[dict[str, str], str]]:
        admin = self._admin()
        product = new_pen(self.api.http, admin, customers * each)
        with ThreadPoolExecutor(max_workers=customers) as pool:
            batches = pool.map(lambda n: self._shop_for(f"c{n}", product, each), range(customers))
            return [order for batch in batches for order in batch]

    def statuses(self, orders: list[tuple[dict[str, str], str]]) -> dict[str, str]:
        with httpx.Client(base_url=self.api.base, timeout=10) as http:
            return {
                order_id: http.get(f"/api/v1/orders/{order_id}", headers=headers).json()["status"]
                for headers, order_id in orders
            }

    def wait_settled(self, orders: list[tuple[dict[str, str], str]]) -> dict[str, str]:
        deadline = time.monotonic() + SETTLED_WITHIN_S
        while True:
            statuses = self.statuses(orders)
            if set(statuses.values()) <= {"paid", "cancelled"}:
                return statuses
            if time.monotonic() > deadline:
                counts = {s: list(statuses.values()).count(s) for s in set(statuses.values())}
                raise AssertionError(f"not settled in {SETTLED_WITHIN_S} s: {counts}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stops everything (how the workers exit is the SIGTERM test's business)."""
        stopped([self.others, self.payments])
        assert self.api.stop() == 0

    def _admin(self) -> dict[str, str]:
        made = orion("admin", "create", "--email", "boss@example.com", env=self.env, stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
        return self._sign_in("boss@example.com")

    def _sign_in(self, email: str) -> dict[str, str]:
        with httpx.Client(base_url=self.api.base, timeout=10) as http:
            return sign_in(http, email)

    def _shop_for(self, name: str, product: str, orders: int) -> list[tuple[dict[str, str], str]]:
        with httpx.Client(base_url=self.api.base, timeout=30) as http:
            headers = shopper(http, name)
            placed = []
            for n in range(orders):
                placed.append((headers, buy(http, headers, product, key=f"{name}-{n}")))
            return placed


async def _captured_payment_keys(database: str) -> set[str]:
    dsn = database.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT id FROM payments.payments WHERE status = 'captured'")
    finally:
        await connection.close()
    return {f"charge-{row['id']}" for row in rows}


def assert_charged_once(database: str, provider: FakeProvider, orders: int) -> None:
    assert set(provider.charges_made.values()) == {1}, "a payment was charged twice"
    assert set(provider.charges_made) == asyncio.run(_captured_payment_keys(database))
    assert len(provider.charges_made) == orders


def assert_the_auditor_finds_nothing(shop: Shop, orders: int) -> None:
    """After the fault, ``orion audit`` as an operator runs it, judging everything (no grace
    for the saga's lag): every order checked, no invariant broken."""
    audited = orion("audit", "--json", env={**shop.env, "ORION_AUDIT_GRACE_S": "0"})
    report = json.loads(audited.stdout)
    results = {result["invariant"]: result for result in report["results"]}
    assert results["order_payment"]["checked"] >= orders, audited.stdout
    assert {name: result["violations"] for name, result in results.items()} == dict.fromkeys(
        results, 0
    ), audited.stdout
    assert audited.returncode == 0, audited.stderr


@pytest.fixture
def shop(
    database: str, provider: FakeProvider, breaker_keys: None, tmp_path: Path
) -> Iterator[Shop]:
    running = Shop(database, provider, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def test_a_provider_outage_opens_the_breaker_and_every_order_is_paid_after(
    shop: Shop, provider: FakeProvider, database: str
) -> None:
    provider.down = answer(503)
    started = time.monotonic()
    orders = shop.place_orders(customers=10, each=10)
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - started)))
    during = len(provider.calls)
    provider.down = None

    statuses = shop.wait_settled(orders)
    print(f"\nprovider outage of {OUTAGE_S:.0f} s, 100 orders: {during} calls reached it")
    assert set(statuses.values()) == {"paid"}
    assert during <= 60, f"{during} calls reached the provider while it was down"
    assert_charged_once(database, provider, len(orders))
    assert_the_auditor_finds_nothing(shop, len(orders))


def test_killing_the_payment_worker_five_times_loses_no_order_and_charges_none_twice(
    shop: Shop, provider: FakeProvider, database: str
) -> None:
    killer_done = threading.Event()

    def kill_five_times() -> None:
        for _ in range(5):
            time.sleep(1.5)
            shop.payments.send_signal(signal.SIGKILL)
            shop.payments.wait(timeout=10)
            shop.restart_payments()
        killer_done.set()

    killer = threading.Thread(target=kill_five_times)
    killer.start()
    orders = shop.place_orders(customers=10, each=10)
    killer.join()
    statuses = shop.wait_settled(orders)
    assert set(statuses.values()) == {"paid"}
    assert_charged_once(database, provider, len(orders))
    assert_the_auditor_finds_nothing(shop, len(orders))


def test_sigterm_under_load_drains_the_worker_and_loses_nothing(
    shop: Shop, provider: FakeProvider, database: str
) -> None:
    orders = shop.place_orders(customers=5, each=10)
    shop.payments.send_signal(signal.SIGTERM)
    assert shop.payments.wait(timeout=30) == 0  # it drained and exited cleanly
    shop.restart_payments()
    statuses = shop.wait_settled(orders)
    assert set(statuses.values()) == {"paid"}
    assert_charged_once(database, provider, len(orders))
    assert_the_auditor_finds_nothing(shop, len(orders))
