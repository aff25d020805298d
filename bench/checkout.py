"""Checkout benchmark: orders/s through Orion's POST /api/v1/orders against the same database
work done by raw asyncpg, one transaction per order.

One throwaway PostgreSQL database (127.0.0.1:5432, user postgres) is migrated and seeded by
Orion (the demo catalog, its stock raised so that no order runs short) and given N customers,
signed in, each with an open cart; every side then runs on its own copy of it, side by side
in one run, rounds alternated:

  raw    asyncpg from this process, one transaction per order that does to the database
         what Orion's checkout does: the idempotency key's advisory lock and look-up, the cart
         FOR UPDATE and its items, the products' prices, the customer's name and email, the
         order number, the order, its lines, its history and its summary row, the emptied
         cart, the kept response (JSONB) and the outbox row; a pool as large as Orion's.
  api    `python -m orion serve --no-workers --no-relay`: the request path alone; the
         outbox rows stay where they are (so its orders never settle, and its bound on them,
         ORION_CHECKOUT_MAX_UNSETTLED, is lifted).
  serve  `python -m orion serve`: as deployed on one machine, with the outbox relay and every
         module's consumers in the process, on RabbitMQ (a throwaway virtual host): each order
         also runs its saga (stock, payment, emails) on the same core. How far the relay and
         the consumers got by each round's end is printed, and the next round waits until
         they are idle again.

Each customer is a loop: its cart is refilled (one INSERT ... SELECT of its lines and a version
bump, sent by asyncpg from this process, the same for every side, untimed), then the order is
placed, timed (a POST with a new Idempotency-Key; 202 expected). orders/s counts the orders
completed in the round. After the rounds, a steady run on the serve side (--rate orders/s on
an open-loop schedule, 50 by default, for --steady-duration s) times each order from placed
to paid, as its own history stamps the two. The database copies, the virtual host and a data
dir are removed at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
import uvloop
from pydantic import SecretStr

from _common import (
    BROKER,
    HOST,
    CpuMeter,
    database_dsn,
    database_url,
    free_port,
    load_average,
    machine_share,
    percentile,
    process_seconds,
    server,
    throwaway_database,
    throwaway_vhost,
)
from orion.bootstrap import Orion
from orion.modules.catalog.contracts.commands import SeedDemoCatalog
from orion.modules.identity.application.commands import LogIn, Register
from orion.modules.ordering.application.commands import OpenCart
from orion.modules.ordering.contracts.events import OrderPlacedV1
from orion.settings import Settings
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.domain.ids import new_id

SIDES = ("raw", "api", "serve")
LABELS = {
    "raw": "raw asyncpg",
    "api": "orion, API only",
    "serve": "orion serve",
}
WARMUP_SECONDS = 2.0
DRAIN_TIMEOUT_S = 60.0
STEADY: list[Steady] = []  # the steady run's result, for the report
TOKEN_LIFETIME_S = 900  # Orion's longest access token: the run must end before the tokens do
STOCK = 1_000_000_000
ORDER_PLACED = OrderPlacedV1.wire_name
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 rue de la Paix",
    "city": "Paris",
    "postal_code": "75002",
    "country": "FR",
}
ORDER = {"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}}
ORDER_BODY = json.dumps(ORDER).encode()
# What Orion fingerprints: the request as validated, defaults filled in.
VALIDATED_ORDER = {"shipping_address": {**ADDRESS, "line2": ""}, "payment": ORDER["payment"]}


@dataclass(frozen=True, slots=True)
class Customer:
    id: uuid.UUID
    token: str
    cart_id: uuid.UUID
    products: list[uuid.UUID]  # what the cart is refilled with before each order


@dataclass(frozen=True, slots=True)
class Saga:
    """At the end of a round of the serve side, and after it."""

    relayed: float  # of the round's OrderPlaced outbox rows, the share published
    advanced: float  # of the round's orders, the share past pending (stock reserved or not)
    caught_up_s: float | None  # how long after the round until nothing was left to do


@dataclass(frozen=True, slots=True)
class Round:
    orders_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # CPU per order of the serving process: Orion's, or this one's for raw
    cpu: str
    saga: Saga | None = None


# -- the template database: schema, catalog, customers --------------------------------------


async def prepare(database: str, settings: Settings, count: int, lines: int) -> list[Customer]:
    """Migrates and seeds ``database`` through Orion in this process, and signs up ``count``
    customers (through the mediator, as the register and login routes do), each with an open
    cart. The sessions live in the database, so the tokens hold on each copy of it."""
    orion = Orion(settings, database_url(database))
    try:
        await orion.migrate()
        await orion.mediator.send(SeedDemoCatalog(only_if_empty=False))
        async with orion.engine.begin() as connection:
            await connection.execute(
                sa.text("UPDATE catalog.products SET stock = :stock"), {"stock": STOCK}
            )
            found = await connection.exec_driver_sql(
                "SELECT id FROM catalog.products WHERE active AND deleted_at IS NULL ORDER BY sku"
            )
            products = list(found.scalars())
        password = secrets.token_urlsafe(18)
        slots = asyncio.Semaphore(4)  # argon2 runs in threads: keep both cores busy

        async def sign_up(number: int) -> Customer:
            email = f"customer{number:04d}@example.com"
            async with slots:
                user = await orion.mediator.send(
                    Register(email=email, password=password, full_name=f"Customer {number}")
                )
                assert user is not None  # a new email each time
                tokens = await orion.mediator.send(LogIn(email=email, password=password))
                opened = await orion.mediator.send(OpenCart(customer_id=user.id))
            first = number * lines
            return Customer(
                id=user.id,
                token=tokens.access_token,
                cart_id=opened.cart.id,
                products=[products[(first + n) % len(products)] for n in range(lines)],
            )

        return list(await asyncio.gather(*(sign_up(n) for n in range(count))))
    finally:
        await orion.aclose()


# Refills a cart as a PUT /cart/items would leave it (lines added, version bumped).
REFILL = """
WITH added AS (
    INSERT INTO ordering.cart_items (cart_id, product_id, quantity, added_at)
    SELECT $1, product_id, 1, now() FROM unnest($2::uuid[]) AS product_id
    ON CONFLICT (cart_id, product_id) DO NOTHING
)
UPDATE ordering.carts SET version = version + 1, updated_at = now() WHERE id = $1
"""


async def no_reset(connection: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset query on release (a round trip; Orion's pool sends none)."""


# -- raw asyncpg: the checkout's database work, one transaction -----------------------------

LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))"
RECALL = (
    "SELECT fingerprint, response FROM ordering.idempotency_keys "
    "WHERE customer_id = $1 AND key = $2"
)
CART = (
    "SELECT id, customer_id, token_hash, created_at, updated_at, closed_at, version "
    "FROM ordering.carts WHERE customer_id = $1 FOR UPDATE"
)
ITEMS = "SELECT cart_id, product_id, quantity, added_at FROM ordering.cart_items WHERE cart_id = $1"
PRODUCTS = (
    "SELECT id, sku, name, price_amount, price_currency, stock, "
    "active AND deleted_at IS NULL AS active FROM catalog.products WHERE id = ANY($1::uuid[])"
)
CONTACT = "SELECT email, full_name FROM identity.users WHERE id = $1"
NEXT_NUMBER = "SELECT nextval('ordering.order_numbers')"
EMPTY_CART = "DELETE FROM ordering.cart_items WHERE cart_id = $1 AND product_id = ANY($2::uuid[])"
TOUCH_CART = (
    "UPDATE ordering.carts SET updated_at = $2, closed_at = NULL, version = $3 WHERE id = $1"
)
INSERT_ORDER = (
    "INSERT INTO ordering.orders (id, number, customer_id, customer_email, customer_name, "
    "status, currency, total_amount, shipping_address, payment_token, placed_at, updated_at, "
    "version) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $10, 1)"
)
INSERT_LINE = (
    "INSERT INTO ordering.order_lines (order_id, position, product_id, sku, name, "
    "unit_price_amount, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
INSERT_HISTORY = (
    "INSERT INTO ordering.order_history (order_id, position, status, at, reason) "
    "VALUES ($1, 0, 'pending', $2, NULL)"
)
INSERT_SUMMARY = (
    "INSERT INTO ordering.order_summaries (id, number, customer_id, customer_email, status, "
    "currency, total_amount, item_count, product_names, placed_at, updated_at) "
    "VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $9)"
)
INSERT_KEY = (
    "INSERT INTO ordering.idempotency_keys (customer_id, key, fingerprint, response, created_at) "
    "VALUES ($1, $2, $3, $4, $5)"
)
INSERT_OUTBOX = (
    "INSERT INTO ordering.outbox (id, type, aggregate_id, aggregate_version, occurred_at, "
    "payload, correlation_id, causation_id, traceparent, tracestate) "
    "VALUES ($1, $2, $3, 1, $4, $5, $6, NULL, NULL, NULL)"
)


def money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


async def place_raw(pool: asyncpg.Pool, customer: Customer) -> None:
    """One order, as Orion's checkout writes it, in one transaction."""
    key = str(uuid.uuid4())
    fingerprint = hashlib.sha256(json.dumps(VALIDATED_ORDER, sort_keys=True).encode()).hexdigest()
    async with pool.acquire() as connection, connection.transaction():
        if not await connection.fetchval(LOCK, f"ordering.checkout:{customer.id}:{key}"):
            raise RuntimeError("a new idempotency key is locked")
        if await connection.fetchrow(RECALL, customer.id, key) is not None:
            raise RuntimeError("a new idempotency key was used before")
        cart = await connection.fetchrow(CART, customer.id)
        items = sorted(
            await connection.fetch(ITEMS, cart["id"]),
            key=lambda item: (item["added_at"], item["product_id"]),
        )
        if not items:
            raise RuntimeError("the cart is empty")
        ids = [item["product_id"] for item in items]
        products = {row["id"]: row for row in await connection.fetch(PRODUCTS, ids)}
        contact = await connection.fetchrow(CONTACT, customer.id)
        number = f"ORN-{await connection.fetchval(NEXT_NUMBER):06d}"
        order_id, now = new_id(), datetime.now(UTC)
        at = now.isoformat()
        lines = []
        for item in items:
            product = products[item["product_id"]]
            if not product["active"]:
                raise RuntimeError(f"product {product['id']} is not for sale")
            lines.append((product, item["quantity"]))
        currency = lines[0][0]["price_currency"]
        total = sum(product["price_amount"] * quantity for product, quantity in lines)
        await connection.execute(EMPTY_CART, cart["id"], ids)
        await connection.execute(TOUCH_CART, cart["id"], now, cart["version"] + 1)
        await connection.execute(
            INSERT_ORDER,
            order_id,
            number,
            customer.id,
            contact["email"],
            contact["full_name"],
            currency,
            total,
            json.dumps(VALIDATED_ORDER["shipping_address"]),
            ORDER["payment"]["token"],
            now,
        )
        await connection.executemany(
            INSERT_LINE,
            [
                (order_id, position, p["id"], p["sku"], p["name"], p["price_amount"], quantity)
                for position, (p, quantity) in enumerate(lines)
            ],
        )
        await connection.execute(INSERT_HISTORY, order_id, now)
        await connection.execute(
            INSERT_SUMMARY,
            order_id,
            number,
            customer.id,
            contact["email"],
            currency,
            total,
            sum(quantity for _, quantity in lines),
            " | ".join(product["name"] for product, _ in lines),
            now,
        )
        view = {
            "id": str(order_id),
            "number": number,
            "status": "pending",
            "customer_id": str(customer.id),
            "customer_email": contact["email"],
            "lines": [
                {
                    "product_id": str(p["id"]),
                    "sku": p["sku"],
                    "name": p["name"],
                    "unit_price": money(p["price_amount"], currency),
                    "quantity": quantity,
                    "line_total": money(p["price_amount"] * quantity, currency),
                }
                for p, quantity in lines
            ],
            "total": money(total, currency),
            "shipping_address": VALIDATED_ORDER["shipping_address"],
            "history": [{"status": "pending", "at": at, "reason": None}],
            "placed_at": at,
            "updated_at": at,
        }
        await connection.execute(INSERT_KEY, customer.id, key, fingerprint, json.dumps(view), now)
        payload = {
            "aggregate_id": str(order_id),
            "aggregate_version": 1,
            "occurred_at": at,
            "number": number,
            "customer_id": str(customer.id),
            "customer_email": contact["email"],
            "customer_name": contact["full_name"],
            "currency": currency,
            "total_amount": total,
            "lines": [
                {
                    "product_id": str(p["id"]),
                    "sku": p["sku"],
                    "name": p["name"],
                    "quantity": quantity,
                    "unit_price_amount": p["price_amount"],
                }
                for p, quantity in lines
            ],
        }
        await connection.execute(
            INSERT_OUTBOX, new_id(), ORDER_PLACED, order_id, now, json.dumps(payload), key
        )


# -- HTTP: a keep-alive connection per customer ---------------------------------------------

CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
CLOSING = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)


class Http:
    """HTTP/1.1 on a kept-alive connection, just what POST /orders needs: it costs the client
    25-50 µs of CPU per request where httpx costs 600-700 µs, on the cores that Orion and
    PostgreSQL need. A new connection is opened when the server closes one (Hypercorn does
    after 1,000 requests)."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(HOST, self._port)
        reader, writer = self._streams
        writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        answer = await reader.readuntil(b"\r\n\r\n")
        length = CONTENT_LENGTH.search(answer)
        if length is None:
            raise RuntimeError(f"an answer without Content-Length: {answer!r}")
        content = await reader.readexactly(int(length[1]))
        if CLOSING.search(answer):
            await self.close()
        return int(answer[9:12]), content

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            await writer.wait_closed()


class Refused(RuntimeError):
    """Checkout answered 503 (ADR 40: too many orders wait for the saga)."""


async def place_http(http: Http, customer: Customer, port: int) -> None:
    head = (
        f"POST /api/v1/orders HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Authorization: Bearer {customer.token}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: {uuid.uuid4()}\r\n"
    ).encode()
    status, body = await http.post(head, ORDER_BODY)
    if status == 503:
        raise Refused(body.decode(errors="replace"))
    if status != 202:
        answer = body.decode(errors="replace")
        raise RuntimeError(f"POST /api/v1/orders answered {status}: {answer}")


# -- a round --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    name: str
    database: str
    port: int | None = None  # Orion's, for the api and serve sides
    pid: int | None = None


async def shop(
    customers: list[Customer],
    place: Callable[[int, Customer], Awaitable[None]],
    refills: asyncpg.Pool,
    seconds: float,
) -> tuple[list[float], int]:
    """Every customer refills their cart and orders, again and again, for ``seconds``. Returns
    the latencies of the orders completed by then, and how many were completed in all (the
    last ones after the deadline)."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    late = 0

    async def customer_loop(number: int, customer: Customer) -> None:
        nonlocal late
        while time.perf_counter() < deadline:
            await refills.execute(REFILL, customer.cart_id, customer.products)
            began = time.perf_counter()
            await place(number, customer)
            ended = time.perf_counter()
            if ended <= deadline:
                latencies.append(ended - began)
            else:
                late += 1

    await asyncio.gather(*(customer_loop(n, c) for n, c in enumerate(customers)))
    return latencies, len(latencies) + late


async def run_round(
    side: Side, customers: list[Customer], seconds: float, pool_size: int, *, warmup: bool = False
) -> Round | None:
    """One measured round, or with ``warmup`` none: the orders answered after its end count as
    warm-up too (on a loaded machine, a cold server may answer none within 2 s)."""
    dsn = database_dsn(side.database)
    refills = await asyncpg.create_pool(dsn, min_size=4, max_size=4, reset=no_reset)
    pool: asyncpg.Pool | None = None
    connections: list[Http] = []
    try:
        if side.port is None:
            pool = await asyncpg.create_pool(
                dsn, min_size=pool_size, max_size=pool_size, reset=no_reset
            )
            raw_pool = pool

            async def place(number: int, customer: Customer) -> None:
                await place_raw(raw_pool, customer)

        else:
            port = side.port
            connections = [Http(port) for _ in customers]

            async def place(number: int, customer: Customer) -> None:
                await place_http(connections[number], customer, port)

        started_at = await refills.fetchval("SELECT now()")
        meters = [CpuMeter(name="bench")]
        if side.pid is not None:
            meters.insert(0, CpuMeter(side.pid, name="orion"))
        serving_cpu_s = process_seconds(side.pid)  # Orion's process, or this one for raw
        latencies, completed = await shop(customers, place, refills, seconds)
        serving_cpu_s = process_seconds(side.pid) - serving_cpu_s
        readings = [meter.read() for meter in meters]
        cpu = ", ".join(f"{r.name} {r.process:.0%} of a core" for r in readings)
        cpu = f"cpu: {cpu}{machine_share(readings[-1].machine)}"
        saga = await saga_state(refills, started_at) if side.name == "serve" else None
    finally:
        for http in connections:
            await http.close()
        if pool is not None:
            await pool.close()
        await refills.close()
    if warmup:
        return None
    if not latencies:
        raise RuntimeError(f"{side.name}: no order completed in {seconds:g} s")
    return Round(
        orders_per_s=len(latencies) / seconds,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        cpu_ms=serving_cpu_s / completed * 1000,
        cpu=cpu,
        saga=saga,
    )


async def saga_state(pool: asyncpg.Pool, since: datetime) -> Saga:
    """How far the serve side's relay and consumers got with the round's orders, then how long
    they take to catch up."""
    written, relayed = await pool.fetchrow(
        "SELECT count(*), count(published_at) FROM ordering.outbox "
        "WHERE type = $1 AND created_at >= $2",
        ORDER_PLACED,
        since,
    )
    placed, advanced = await pool.fetchrow(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'pending') FROM ordering.orders "
        "WHERE placed_at >= $1",
        since,
    )
    return Saga(
        relayed=relayed / max(written, 1),
        advanced=advanced / max(placed, 1),
        caught_up_s=await drain(pool),
    )


async def drain(pool: asyncpg.Pool) -> float | None:
    """Seconds until no module's outbox has a row waiting and no inbox has grown for a
    second (the relay and the consumers are idle); None after ``DRAIN_TIMEOUT_S``."""
    schemas = await pool.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_name IN ('outbox', 'inbox')"
    )
    counts = " + ".join(
        f'(SELECT count(*) FROM "{row["table_schema"]}".outbox '  # noqa: S608 (schema names)
        "WHERE published_at IS NULL AND parked_at IS NULL)"
        for row in schemas
        if row["table_name"] == "outbox"
    )
    inboxes = " + ".join(
        f'(SELECT count(*) FROM "{row["table_schema"]}".inbox)'  # noqa: S608 (schema names)
        for row in schemas
        if row["table_name"] == "inbox"
    )
    query = f"SELECT {counts}, {inboxes or '0'}"
    start = time.perf_counter()
    quiet_since, last = start, None
    while (now := time.perf_counter()) - start < DRAIN_TIMEOUT_S:
        waiting, consumed = await pool.fetchrow(query)
        if waiting or consumed != last:
            quiet_since, last = now, consumed
        elif now - quiet_since >= 1.0:
            return quiet_since - start
        await asyncio.sleep(0.1)
    return None


# -- placed -> paid at a steady rate (serve) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Steady:
    rate: float  # orders/s asked for
    placed: int
    paid: int  # of those, paid once the saga had caught up
    late: int  # orders that found no idle customer on time (the schedule slipped)
    refused: int  # answered 503: past the bound on unsettled orders (ADR 40)
    p50_ms: float
    p99_ms: float
    max_ms: float


async def steady(side: Side, customers: list[Customer], rate: float, seconds: float) -> Steady:
    """Orders on an open-loop schedule (one every 1/``rate`` s, each by an idle customer),
    then, once the saga has caught up, each order's placed -> paid time as its own history
    says (the ``pending`` and ``paid`` entries, both stamped by Orion's clock)."""
    port = side.port
    assert port is not None
    dsn = database_dsn(side.database)
    refills = await asyncpg.create_pool(dsn, min_size=4, max_size=4, reset=no_reset)
    idle: asyncio.Queue[int] = asyncio.Queue()
    for number in range(len(customers)):
        idle.put_nowait(number)
    connections = [Http(port) for _ in customers]
    tasks: list[asyncio.Task[None]] = []
    late = refused = 0

    async def order(number: int) -> None:
        nonlocal refused
        customer = customers[number]
        try:
            await refills.execute(REFILL, customer.cart_id, customer.products)
            await place_http(connections[number], customer, port)
        except Refused:
            refused += 1
        finally:
            idle.put_nowait(number)

    try:
        started_at = await refills.fetchval("SELECT now()")
        began = time.perf_counter()
        for sent in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, began + sent / rate - time.perf_counter()))
            if idle.empty():
                late += 1
            tasks.append(asyncio.create_task(order(await idle.get())))
        await asyncio.gather(*tasks)
        await drain(refills)
        rows = await refills.fetch(
            "SELECT extract(epoch FROM paid.at - placed.at) AS seconds"
            " FROM ordering.order_history placed"
            " LEFT JOIN ordering.order_history paid"
            "   ON paid.order_id = placed.order_id AND paid.status = 'paid'"
            " WHERE placed.status = 'pending' AND placed.at >= $1",
            started_at,
        )
    finally:
        for http in connections:
            await http.close()
        await refills.close()
    times = [float(row["seconds"]) for row in rows if row["seconds"] is not None]
    if not times:
        raise RuntimeError("serve: no order of the steady run was paid")
    return Steady(
        rate=rate,
        placed=len(rows),
        paid=len(times),
        late=late,
        refused=refused,
        p50_ms=percentile(times, 50) * 1000,
        p99_ms=percentile(times, 99) * 1000,
        max_ms=max(times) * 1000,
    )


def describe_steady(result: Steady, seconds: float) -> str:
    return (
        f"orion serve, {result.rate:g} orders/s for {seconds:g} s: placed -> paid"
        f" p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, max {result.max_ms:.1f} ms;"
        f" {result.paid} of {result.placed} orders paid"
        + (f"; {result.late} sent late (no idle customer)" if result.late else "")
        + (f"; {result.refused} refused with 503 (ADR 40)" if result.refused else "")
    )


# -- the run --------------------------------------------------------------------------------


async def measure(
    args: argparse.Namespace, sides: list[Side], customers: list[Customer]
) -> dict[str, list[Round]]:
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    print(f"warming up each side for {WARMUP_SECONDS:g} s", flush=True)
    for side in sides:
        if side.name == "serve":
            await settle(side)
        await run_round(side, customers, WARMUP_SECONDS, args.pool_size, warmup=True)
        if side.name == "serve":
            await settle(side)
    rounds: dict[str, list[Round]] = {side.name: [] for side in sides}
    for number in range(1, args.rounds + 1):
        for side in sides if number % 2 else sides[::-1]:
            result = await run_round(side, customers, args.duration, args.pool_size)
            assert result is not None
            rounds[side.name].append(result)
            print(
                f"round {number} {side.name:<5} {result.orders_per_s:>7.1f} orders/s"
                f"  p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms"
                f"  {result.cpu_ms:.2f} ms cpu/order  ({result.cpu})",
                flush=True,
            )
            if result.saga is not None:
                print(f"        {describe(result.saga)}", flush=True)
    serve = next((side for side in sides if side.name == "serve"), None)
    if serve is not None and args.rate > 0:
        await settle(serve)
        print(f"steady: {args.rate:g} orders/s for {args.steady_duration:g} s", flush=True)
        STEADY.append(await steady(serve, customers, args.rate, args.steady_duration))
    return rounds


async def settle(side: Side) -> None:
    pool = await asyncpg.create_pool(database_dsn(side.database), min_size=1, max_size=1)
    try:
        if await drain(pool) is None:
            print(f"{side.name}: still busy after {DRAIN_TIMEOUT_S:g} s; measuring anyway")
    finally:
        await pool.close()


def describe(saga: Saga) -> str:
    caught_up = (
        f"not caught up {DRAIN_TIMEOUT_S:g} s later"
        if saga.caught_up_s is None
        else f"caught up {saga.caught_up_s:.1f} s later"
    )
    stalled = (
        " (nothing relayed: was the broker up? tests/integration/messaging stop it)"
        if saga.relayed == 0
        else ""
    )
    return (
        f"by the round's end: {saga.relayed:.0%} of its OrderPlaced relayed, "
        f"{saga.advanced:.0%} of its orders past pending; {caught_up}{stalled}"
    )


def report(args: argparse.Namespace, rounds: dict[str, list[Round]]) -> None:
    print()
    print(
        f"Checkout, {args.customers} customers at once, {args.lines} line(s) per order, "
        f"pools of {args.pool_size} connections; median of {args.rounds} alternated rounds "
        f"of {args.duration:g} s. cpu/order: CPU time per order of the serving process "
        "(Orion's; for raw, this one's, cart refills included):"
    )
    fields = ("orders_per_s", "p50_ms", "p99_ms", "cpu_ms")
    medians = {
        name: [statistics.median(getattr(r, field) for r in results) for field in fields]
        for name, results in rounds.items()
    }
    print(f"  {'':<18}{'orders/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'cpu/order ms':>14}")
    for name, (rate, p50, p99, cpu) in medians.items():
        print(f"  {LABELS[name]:<18}{rate:>10.1f}{p50:>9.1f}{p99:>9.1f}{cpu:>14.2f}")
    if "raw" in medians:
        raw = medians["raw"]
        for name in ("api", "serve"):
            if name in medians:
                ratios = [value / base for value, base in zip(medians[name], raw, strict=True)]
                print(
                    f"  {name + ' / raw':<18}{ratios[0]:>10.2f}{ratios[1]:>9.2f}"
                    f"{ratios[2]:>9.2f}{ratios[3]:>14.2f}"
                )
    if "serve" in rounds:
        for number, result in enumerate(rounds["serve"], start=1):
            assert result.saga is not None
            print(f"  serve, round {number}: {describe(result.saga)}")
    for run in STEADY:
        print(f"  {describe_steady(run, args.steady_duration)}")


def orion_env(
    database: str,
    broker_url: str,
    jwt_keys: str,
    data_dir: str,
    pool_size: int,
    *,
    unsettled_unbounded: bool,
) -> Any:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORION_")}
    return {
        **env,
        "ORION_DATABASE_URL": database_url(database),
        "ORION_BROKER_URL": broker_url,
        "ORION_JWT_KEYS": jwt_keys,
        "ORION_DATA_DIR": data_dir,
        "ORION_DB_POOL_SIZE": str(pool_size),
        "ORION_LOG_LEVEL": "WARNING",
        # a few customers on one address place thousands of orders: limits would cap the run
        "ORION_RATE_LIMIT_ANONYMOUS": "100000000/minute",
        "ORION_RATE_LIMIT_USER": "100000000/minute",
        "ORION_RATE_LIMIT_AUTH": "100000000/minute",
        # the api side never settles its orders (no relay, no consumers): no bound on them
        **({"ORION_CHECKOUT_MAX_UNSETTLED": "1000000000"} if unsettled_unbounded else {}),
    }


@contextmanager
def orion_server(name: str, env: dict[str, str]) -> Iterator[Side]:
    port = free_port()
    command = [sys.executable, "-m", "orion", "serve", "--port", str(port)]
    if name == "api":
        command += ["--no-workers", "--no-relay"]
    database = env["ORION_DATABASE_URL"].rsplit("/", 1)[1]
    with server(command, f"http://{HOST}:{port}/health/live", env) as process:
        yield Side(name=name, database=database, port=port, pid=process.pid)


def benchmark(args: argparse.Namespace, names: list[str]) -> dict[str, list[Round]]:
    jwt_keys = f"bench:{secrets.token_urlsafe(32)}"
    with (
        tempfile.TemporaryDirectory(prefix="orion_bench_") as data_dir,
        throwaway_vhost(args.broker_url) as broker_url,
        throwaway_database() as template,
    ):
        settings = Settings(
            jwt_keys=SecretStr(jwt_keys), data_dir=Path(data_dir), db_pool_size=args.pool_size
        )
        began = time.monotonic()
        customers = uvloop.run(prepare(template, settings, args.customers, args.lines))
        print(
            f"database {template} ready with {len(customers)} customers signed in "
            f"({time.monotonic() - began:.1f} s); a copy for each side",
            flush=True,
        )
        with ExitStack() as stack:
            sides = []
            for name in names:
                database = stack.enter_context(throwaway_database(template))
                if name == "raw":
                    sides.append(Side(name=name, database=database))
                else:
                    env = orion_env(
                        database,
                        broker_url,
                        jwt_keys,
                        data_dir,
                        args.pool_size,
                        unsettled_unbounded=name == "api",
                    )
                    sides.append(stack.enter_context(orion_server(name, env)))
            return uvloop.run(measure(args, sides, customers))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per round (8)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side, alternated (2)")
    parser.add_argument("--customers", type=int, default=32, help="customers ordering at once (32)")
    parser.add_argument("--lines", type=int, default=1, help="lines per order (1)")
    parser.add_argument(
        "--pool-size", type=int, default=10, help="database pool, Orion's and raw's (10)"
    )
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help=f"which sides to measure, comma-separated ({','.join(SIDES)})",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="after the rounds, orders/s of a steady run on the serve side, timed placed -> "
        "paid (50; 0: none)",
    )
    parser.add_argument(
        "--steady-duration", type=float, default=10.0, help="seconds of the steady run (10)"
    )
    parser.add_argument(
        "--broker-url",
        default=BROKER,
        help=f"RabbitMQ; a throwaway vhost is made on it with rabbitmqctl ({BROKER})",
    )
    args = parser.parse_args()
    names = [name for name in SIDES if name in args.sides.split(",")]
    if not names or set(args.sides.split(",")) - set(SIDES):
        sys.exit(f"--sides takes some of {', '.join(SIDES)}")
    if shutil.which("rabbitmqctl") is None:
        sys.exit("rabbitmqctl is not on PATH: it makes the benchmark's throwaway vhost")
    planned = len(names) * (args.rounds * (args.duration + 5) + WARMUP_SECONDS + 5) + 60
    planned += args.steady_duration + DRAIN_TIMEOUT_S if "serve" in names and args.rate else 0
    if planned > TOKEN_LIFETIME_S - 60:
        sys.exit(f"a run this long (~{planned:.0f} s) outlives the customers' access tokens")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("terminated"))  # clean up too
    configure_logging(level="WARNING", fmt="console")
    print(load_average(), flush=True)
    try:
        rounds = benchmark(args, names)
    except (asyncio.CancelledError, KeyboardInterrupt):
        sys.exit("interrupted")
    report(args, rounds)


if __name__ == "__main__":
    main()
