"""Restarts that lose nothing: under steady load through the gateway (reads and checkouts),
each API instance is killed with SIGKILL once and started again, then every container (both
API instances, the relay, the worker) is rolled with SIGTERM, one at a time, as
deploy/compose/rolling-restart.sh does. No order is lost or doubled, no read fails during the
SIGTERM roll, a checkout sent again with its key makes no second order, and every order is paid
and mailed once the load ends."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import asyncpg
import httpx

from tests.conftest import _asyncpg_dsn
from tests.deploy.conftest import ADMIN, Shop
from tests.deploy.containers import GRACE_S
from tests.deploy.gateway import Gateway
from tests.e2e.deployment import ADDRESS, new_pen, shopper, sign_in, subjects

LOAD_S = 62  # at least a minute of load, restarts included
SETTLED_WITHIN_S = 60
RETRY_FOR_S = 30  # how long a client keeps sending one request again
STOCK = 1_000_000
TRANSIENT = {409, 502, 503, 504}  # in flight elsewhere, or no instance could answer now
# the gateway tries an instance that failed again after fail_timeout (5 s, upstream.conf): a
# roll waits that long once an instance is back before it stops the next
SETTLE_S = 6


@dataclass
class Load:
    """What the clients saw, by the phase it happened in."""

    phase: str = "warm-up"
    stopping: threading.Event = field(default_factory=threading.Event)
    reads: list[tuple[str, int | str]] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> order id
    errors: list[str] = field(default_factory=list)


def read(gateway: Gateway, address: str, product: str, load: Load) -> None:
    with gateway.client(address, timeout=10) as http:
        while not load.stopping.is_set():
            phase = load.phase
            try:
                status: int | str = http.get(f"/api/v1/products/{product}").status_code
            except httpx.TransportError as error:
                status = type(error).__name__
            load.reads.append((phase, status))
            time.sleep(0.02)


def buy(gateway: Gateway, address: str, customer: dict[str, str], pen: str, load: Load) -> None:
    body = {"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}}
    with gateway.client(address, timeout=15) as http:
        try:
            while not load.stopping.is_set():
                add = partial(http.put, f"/api/v1/cart/items/{pen}", json={"quantity": 1})
                _until_accepted(partial(add, headers=customer), 200)
                key = str(uuid.uuid4())
                checkout = partial(
                    http.post,
                    "/api/v1/orders",
                    json=body,
                    headers={**customer, "Idempotency-Key": key},
                )
                placed = _until_accepted(checkout, 202)
                load.orders[key] = placed.json()["id"]
                # sent again with its key, as a client does after losing the answer
                again = _until_accepted(checkout, 202)
                if (again.headers.get("Idempotent-Replayed"), again.json()["id"]) != (
                    "true",
                    placed.json()["id"],
                ):
                    load.errors.append(f"key {key} replayed as {again.headers} {again.text}")
                time.sleep(0.1)
        except AssertionError as error:
            load.errors.append(str(error))


def _until_accepted(send: Callable[[], httpx.Response], status: int) -> httpx.Response:
    """Sends again after a transport error or a transient status, for RETRY_FOR_S at most."""
    deadline = time.monotonic() + RETRY_FOR_S
    while True:
        try:
            answer: httpx.Response = send()
        except httpx.TransportError as error:
            seen: int | str = type(error).__name__
        else:
            if answer.status_code == status:
                return answer
            assert answer.status_code in TRANSIENT, answer.text
            seen = answer.status_code
        assert time.monotonic() < deadline, f"still {seen} after {RETRY_FOR_S} s"
        time.sleep(0.2)


def test_killed_and_rolled_instances_lose_no_order(shop: Shop, gateway: Gateway) -> None:
    with gateway.client(timeout=10) as http:
        admin = sign_in(http, ADMIN)
        pen = new_pen(http, admin, stock=STOCK)
        names = [f"buyer{n}-{uuid.uuid4().hex[:6]}" for n in range(2)]
        customers = [shopper(http, name) for name in names]
    load = Load()
    clients = [
        threading.Thread(target=read, args=(gateway, f"127.0.0.{20 + n}", pen, load))
        for n in range(3)
    ] + [
        threading.Thread(target=buy, args=(gateway, f"127.0.0.{30 + n}", customer, pen, load))
        for n, customer in enumerate(customers)
    ]
    started = time.monotonic()
    for client in clients:
        client.start()
    stops = []
    try:
        time.sleep(3)
        load.phase = "SIGKILL"
        for api in shop.apis:
            api.kill()
            api.start()
            api.wait_ready()
            time.sleep(SETTLE_S)
        load.phase = "SIGTERM"
        for container in shop.all:
            stops.append((container.name, *container.stop()))
            container.start()
            container.wait_ready()
            time.sleep(SETTLE_S if container in shop.apis else 1)
        load.phase = "after"
        time.sleep(max(0.0, LOAD_S - (time.monotonic() - started)))
    finally:
        load.stopping.set()
        for client in clients:
            client.join(timeout=RETRY_FOR_S * 3)
    assert time.monotonic() - started >= LOAD_S

    assert load.errors == []
    assert [(name, code) for name, code, _ in stops] == [(name, 0) for name, _, _ in stops]
    assert all(seconds < GRACE_S for _, _, seconds in stops), stops
    by_phase = Counter((phase, status) for phase, status in load.reads)
    failed_during_roll = {
        key: n for key, n in by_phase.items() if key[0] == "SIGTERM" and key[1] != 200
    }
    assert failed_during_roll == {}
    assert by_phase["SIGTERM", 200] > 100  # the roll was under load

    placed = set(load.orders.values())
    assert len(placed) == len(load.orders)  # one order per key, its replay included
    emails = [f"{name}@example.com" for name in names]
    deadline = time.monotonic() + SETTLED_WITHIN_S
    orders = asyncio.run(_orders(shop.database_url, emails))
    while {status for status, _ in orders.values()} != {"paid"} and time.monotonic() < deadline:
        time.sleep(0.5)
        orders = asyncio.run(_orders(shop.database_url, emails))
    assert set(orders) == placed  # none lost, none doubled
    assert Counter(status for status, _ in orders.values()) == {"paid": len(placed)}
    with gateway.client(timeout=10) as http:
        product = http.get(f"/api/v1/admin/products/{pen}", headers=sign_in(http, ADMIN))
    assert product.json()["stock"] == STOCK - len(placed)  # each order reserved once
    numbers = {number for _, number in orders.values()}
    while time.monotonic() < deadline and not numbers <= _paid_mails(shop):
        time.sleep(0.5)
    assert numbers <= _paid_mails(shop)


async def _orders(database_url: str, emails: list[str]) -> dict[str, tuple[str, str]]:
    """Each order of these customers in the database: its id, status and number."""
    connection = await asyncpg.connect(_asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT id, status, number FROM ordering.orders WHERE customer_email = ANY($1)",
            emails,
        )
    finally:
        await connection.close()
    return {str(row["id"]): (row["status"], row["number"]) for row in rows}


def _paid_mails(shop: Shop) -> set[str]:
    """The order numbers of the payment emails written."""
    prefix = "Payment received for order "
    return {
        subject.removeprefix(prefix)
        for subject in subjects(shop.mail)
        if subject.startswith(prefix)
    }
