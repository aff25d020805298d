"""Audit benchmark: the periodic audit's incremental run over the last hour's orders, with
1,000,000 orders in the database, against the same reads done straight in SQL.

A throwaway PostgreSQL database (127.0.0.1:5432, user postgres) is migrated by Orion and
filled in bulk (``generate_series``, one statement per table) with ``--orders`` orders spread
evenly over ``--days`` days, each as the saga leaves it: its order row and summary, its
payment (captured; refunded for the one in ten cancelled) and its reservation (holding stock;
released for the cancelled); the orders of the last ``--recent-hours`` hours also get their
history and their emails (those of older orders are never read by an incremental run: it
looks records up by id). Then, in rounds that alternate:

  orion     ``RunAudit(from_checkpoint=True)`` through the mediator, as the periodic job
            sends it, its checkpoint set back to cover the last hour of settled orders
            (``ORION_AUDIT_GRACE_S`` at its default): every invariant, through the modules'
            contract queries, its findings recorded.
  raw SQL   the same reads with asyncpg and no Orion: the windowed listings (orders,
            captured payments, live reservations, products moved) and the lookups by id of
            what they named that a listing did not give (payments, reservations, the orders'
            events, their emails, the products' balances), each one statement.

The table shows the median of each, and orion / raw. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import sqlalchemy as sa
import uvloop
from pydantic import SecretStr

from _common import database_dsn, database_url, load_average, throwaway_database
from orion.bootstrap import Orion
from orion.modules.audit.contracts.commands import AuditReport, RunAudit
from orion.settings import Settings
from orion.shared_kernel.adapters.logging import configure_logging

FILL = """
CREATE TEMPORARY TABLE bench_orders AS
SELECT gen_random_uuid() AS id, i,
       now() - (i * interval '1 day' * {days} / {orders}) AS at,
       CASE WHEN i % 10 = 0 THEN 'cancelled' WHEN i % 3 = 0 THEN 'shipped' ELSE 'paid' END
           AS status
FROM generate_series(1, {orders}) AS i;

INSERT INTO ordering.orders (id, number, customer_id, customer_email, customer_name, status,
    currency, total_amount, shipping_address, payment_token, placed_at, updated_at, version)
SELECT id, 'B-' || i, id, 'customer' || i || '@example.com', 'Customer', status, 'EUR',
       1000 + i % 5000, '{{}}', 'tok_visa', at - interval '1 minute', at, 3
FROM bench_orders;

INSERT INTO ordering.order_summaries (id, number, customer_id, customer_email, status,
    currency, total_amount, item_count, product_names, placed_at, updated_at)
SELECT id, 'B-' || i, id, 'customer' || i || '@example.com', status, 'EUR', 1000 + i % 5000,
       1, 'Bench product', at - interval '1 minute', at
FROM bench_orders;

INSERT INTO payments.payments (id, order_id, amount, currency, token, provider, status,
    cancel_requested, provider_reference, created_at, updated_at, version)
SELECT gen_random_uuid(), id, 1000 + i % 5000, 'EUR', 'tok_visa', 'simulated',
       CASE WHEN status = 'cancelled' THEN 'refunded' ELSE 'captured' END,
       status = 'cancelled', 'ch_' || i, at - interval '50 seconds', at, 2
FROM bench_orders;

CREATE TEMPORARY TABLE bench_moves AS
SELECT id, at, move, position
FROM bench_orders,
     LATERAL (VALUES ('pending', 1), ('paid', 2), ('shipped', 3), ('cancelled', 2))
         AS moves (move, position)
WHERE at > now() - interval '{recent_hours} hours'
  AND (move = 'pending' OR (move = 'paid' AND status IN ('paid', 'shipped')) OR move = status);

INSERT INTO ordering.order_history (order_id, position, status, at)
SELECT id, position, move, at FROM bench_moves;

INSERT INTO notifications.emails (id, message_id, recipient, template, subject, status,
    attempts, created_at, updated_at, sent_at, event_type, subject_id)
SELECT gen_random_uuid(), gen_random_uuid()::text, 'customer@example.com', 'order_' || move,
       'Your order', 'sent', 1, at, at, at,
       'ordering.order_' || CASE WHEN move = 'pending' THEN 'placed' ELSE move END || '.v1', id
FROM bench_moves;

INSERT INTO catalog.reservations (order_id, status, created_at, released_at, version)
SELECT id, CASE WHEN status = 'cancelled' THEN 'released' ELSE 'reserved' END,
       at - interval '55 seconds', CASE WHEN status = 'cancelled' THEN at END,
       CASE WHEN status = 'cancelled' THEN 2 ELSE 1 END
FROM bench_orders;
"""

LISTINGS = [
    "SELECT id, status, currency, total_amount, updated_at FROM ordering.order_summaries"
    " WHERE updated_at >= $1 AND updated_at < $2 ORDER BY updated_at, id",
    "SELECT order_id, id, status, amount, currency, updated_at FROM payments.payments"
    " WHERE status = 'captured' AND updated_at >= $1 AND updated_at < $2"
    " ORDER BY updated_at, order_id",
    "SELECT order_id, status, created_at FROM catalog.reservations WHERE status = 'reserved'"
    " AND created_at >= $1 AND created_at < $2 ORDER BY created_at, order_id",
    "SELECT DISTINCT product_id FROM catalog.stock_movements WHERE at >= $1 AND at < $2",
]
LOOKUPS = [
    "SELECT order_id, id, status, amount, currency, updated_at FROM payments.payments"
    " WHERE order_id = ANY($1)",
    "SELECT order_id, status, coalesce(released_at, created_at) FROM catalog.reservations"
    " WHERE order_id = ANY($1)",
    "SELECT order_id, array_agg(status) FROM ordering.order_history WHERE order_id = ANY($1)"
    " GROUP BY order_id",
    "SELECT subject_id, array_agg(event_type) FROM notifications.emails"
    " WHERE subject_id = ANY($1) GROUP BY subject_id",
]


async def fill(dsn: str, *, orders: int, days: float, recent_hours: float) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        await connection.execute(FILL.format(orders=orders, days=days, recent_hours=recent_hours))
        await connection.execute("ANALYZE")
        print(f"filled {orders:,} orders in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await connection.close()


async def orion_run(orion: Orion, since: datetime) -> tuple[float, int]:
    async with orion.engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE audit.runs SET checkpoint = :since, claimed_until = NULL"),
            {"since": since},
        )
    started = time.perf_counter()
    report = await orion.mediator.send(RunAudit(from_checkpoint=True))
    elapsed = time.perf_counter() - started
    assert isinstance(report, AuditReport)
    assert not any(result.violations for result in report.results), report
    return elapsed, report.results[0].checked


async def raw_run(connection: asyncpg.Connection, since: datetime, before: datetime) -> float:
    started = time.perf_counter()
    listed = [await connection.fetch(statement, since, before) for statement in LISTINGS]
    orders = {row[0] for row in listed[0]}
    payments, reservations = {row[0] for row in listed[1]}, {row[0] for row in listed[2]}
    subjects = orders | payments | reservations
    await connection.fetch(LOOKUPS[0], list(subjects - payments))
    await connection.fetch(LOOKUPS[1], list(subjects - reservations))
    for lookup in LOOKUPS[2:]:
        await connection.fetch(lookup, list(orders))
    return time.perf_counter() - started


async def benchmark(args: argparse.Namespace, name: str) -> None:
    orion = Orion(Settings(jwt_keys=SecretStr("bench:" + "k" * 48)), database_url(name))
    raw = None
    try:
        await orion.migrate()
        await fill(
            database_dsn(name), orders=args.orders, days=args.days, recent_hours=args.recent_hours
        )
        raw = await asyncpg.connect(database_dsn(name))
        await raw.execute("INSERT INTO audit.runs (name) VALUES ('periodic')")
        grace = timedelta(seconds=orion.settings.audit_grace_s)
        await orion_run(orion, datetime.now(UTC) - grace - timedelta(hours=1))  # warm-up
        timings: dict[str, list[float]] = {"orion": [], "raw SQL": []}
        checked = 0
        for _ in range(args.rounds):
            before = datetime.now(UTC) - grace
            since = before - timedelta(hours=1)
            elapsed, checked = await orion_run(orion, since)
            timings["orion"].append(elapsed)
            timings["raw SQL"].append(await raw_run(raw, since, before))
        per_hour = args.orders / (args.days * 24)
        print(
            f"\nincremental run over the last hour: ~{per_hour:,.0f} orders placed per hour, "
            f"{checked:,} orders checked (order_payment), {args.rounds} rounds alternated"
        )
        medians = {what: statistics.median(values) for what, values in timings.items()}
        for what, median in medians.items():
            print(f"  {what:8} {median * 1000:8.1f} ms")
        print(f"  orion / raw SQL  {medians['orion'] / medians['raw SQL']:.1f}")
        print(f"  under a second: {'yes' if medians['orion'] < 1 else 'NO'}")
    finally:
        if raw is not None:
            await raw.close()
        await orion.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="(default 1,000,000)")
    parser.add_argument(
        "--days", type=float, default=7, help="spread over this many days (default 7)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="(default 5)")
    parser.add_argument(
        "--recent-hours",
        type=float,
        default=3,
        help="orders this recent get their history and emails (default 3)",
    )
    args = parser.parse_args()
    configure_logging(level="WARNING", fmt="console")
    print(load_average(), flush=True)
    with throwaway_database() as name:
        try:
            uvloop.run(benchmark(args, name))
        except KeyboardInterrupt:
            sys.exit("interrupted")


if __name__ == "__main__":
    main()
