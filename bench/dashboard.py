"""The dashboard overview's server time with 100,000 orders in the analytics read model,
beside the same figures computed by scanning the orders where they are written (ordering's
orders, history and lines, payments' payments and attempts), in one run.

    .venv/bin/python bench/dashboard.py                # 100,000 orders over 90 days
    .venv/bin/python bench/dashboard.py --orders 20000 --runs 9

Both sides answer the last 30 days in EUR: KPIs (and the previous 30 days'), revenue and
orders by status per day, the funnel, cancellations by reason, top products, failures by
decline code. The data is made by SQL straight into both sides' tables (the read model as
the rebuild would fill it); the script checks that both sides give the same KPIs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import asyncpg
from pydantic import SecretStr

from _common import database_dsn, database_url, load_average, throwaway_database
from orion.bootstrap import Orion
from orion.modules.analytics.contracts.queries import GetOverview
from orion.settings import Settings
from orion.shared_kernel.adapters.logging import configure_logging

FILL = """
INSERT INTO ordering.orders (id, number, customer_id, customer_email, customer_name, status,
  currency, total_amount, shipping_address, payment_token, placed_at, updated_at, version)
SELECT md5('o' || i)::uuid, 'ORN-' || i, md5('c' || (i % 5000))::uuid, 'c' || (i % 5000) || '@x',
  'C', CASE WHEN i % 10 IN (0, 1) THEN 'cancelled' WHEN i % 10 IN (2, 3) THEN 'delivered'
  WHEN i % 10 = 4 THEN 'shipped' ELSE 'paid' END,
  'EUR', 1000 + (i % 97) * 10, '{}', 'tok', now() - (i % 90) * interval '1 day'
  - (i % 997) * interval '1 second', now(), 1
FROM generate_series(1, $1) AS i;

INSERT INTO ordering.order_lines (order_id, position, product_id, sku, name, unit_price_amount,
  quantity)
SELECT md5('o' || i)::uuid, 0, md5('p' || (i % 40))::uuid, 'SKU' || (i % 40), 'P' || (i % 40),
  1000 + (i % 97) * 10, 1
FROM generate_series(1, $1) AS i;

INSERT INTO ordering.order_history (order_id, position, status, at, reason)
SELECT o.id, s.position, s.status, o.placed_at + s.position * interval '1 minute', s.reason
FROM ordering.orders o, LATERAL (VALUES
  (0, 'pending', NULL, true),
  (1, 'awaiting_payment', NULL, true),
  (2, 'paid', NULL, o.status <> 'cancelled' OR o.number LIKE '%1'),
  (2, 'cancelled', 'payment_declined', o.status = 'cancelled' AND o.number LIKE '%0'),
  (3, 'cancelled', 'admin_request', o.status = 'cancelled' AND o.number LIKE '%1'),
  (3, 'shipped', NULL, o.status IN ('shipped', 'delivered')),
  (4, 'delivered', NULL, o.status = 'delivered')
) AS s(position, status, reason, taken)
WHERE s.taken;

INSERT INTO payments.payments (id, order_id, amount, currency, token, provider, status,
  cancel_requested, failure_reason, created_at, updated_at, version)
SELECT md5('pay' || o.id)::uuid, o.id, o.total_amount, 'EUR', 'tok', 'simulated',
  CASE WHEN o.number LIKE '%0' AND o.status = 'cancelled' THEN 'failed'
  WHEN o.status = 'cancelled' THEN 'refunded' ELSE 'captured' END,
  false, CASE WHEN o.number LIKE '%0' AND o.status = 'cancelled' THEN
  CASE WHEN o.number LIKE '%00' THEN 'insufficient_funds' ELSE 'card_declined' END END,
  o.placed_at, o.placed_at, 2
FROM ordering.orders o;

INSERT INTO payments.payment_attempts (payment_id, number, at, step, outcome, detail)
SELECT p.id, 1, p.created_at + interval '2 minutes', 'charge',
  CASE WHEN p.status = 'failed' THEN 'declined' ELSE 'captured' END, p.failure_reason
FROM payments.payments p;
INSERT INTO payments.payment_attempts (payment_id, number, at, step, outcome, detail)
SELECT p.id, 2, p.created_at + interval '4 minutes', 'refund', 'refunded', 're'
FROM payments.payments p WHERE p.status = 'refunded';
"""

# the read model as the rebuild fills it, from the same data
READ_MODEL = """
INSERT INTO analytics.orders
SELECT o.id, o.customer_id, o.currency, o.total_amount, o.placed_at,
  max(h.at) FILTER (WHERE h.status = 'awaiting_payment'),
  max(h.at) FILTER (WHERE h.status = 'paid'),
  max(h.at) FILTER (WHERE h.status = 'shipped'),
  max(h.at) FILTER (WHERE h.status = 'delivered'),
  max(h.at) FILTER (WHERE h.status = 'cancelled'),
  max(h.reason) FILTER (WHERE h.status = 'cancelled')
FROM ordering.orders o JOIN ordering.order_history h ON h.order_id = o.id GROUP BY o.id;
INSERT INTO analytics.order_lines
SELECT order_id, product_id, sku, name, quantity, unit_price_amount FROM ordering.order_lines;
INSERT INTO analytics.payments
SELECT p.id, p.order_id, p.currency, p.amount,
  min(a.at) FILTER (WHERE a.outcome = 'captured'), min(a.at) FILTER (WHERE a.outcome = 'declined'),
  p.failure_reason, min(a.at) FILTER (WHERE a.outcome = 'refunded')
FROM payments.payments p JOIN payments.payment_attempts a ON a.payment_id = p.id GROUP BY p.id;
ANALYZE;
"""

# the same figures from where the orders are written, as an admin page would without the
# read model: one statement per figure, over the write tables
SCAN = {
    "kpis": """
WITH o AS (SELECT * FROM ordering.orders WHERE currency = $3),
paid AS (SELECT h.order_id, h.at FROM ordering.order_history h WHERE h.status = 'paid'),
cancelled AS (SELECT h.order_id, h.at FROM ordering.order_history h WHERE h.status = 'cancelled')
SELECT
 (SELECT count(*) FROM o WHERE placed_at >= $1 AND placed_at < $2),
 (SELECT count(DISTINCT customer_id) FROM o WHERE placed_at >= $1 AND placed_at < $2),
 (SELECT coalesce(sum(p.amount), 0) FROM payments.payments p JOIN payments.payment_attempts a
   ON a.payment_id = p.id AND a.outcome = 'captured' WHERE p.currency = $3 AND a.at >= $1
   AND a.at < $2),
 (SELECT coalesce(sum(p.amount), 0) FROM payments.payments p JOIN payments.payment_attempts a
   ON a.payment_id = p.id AND a.outcome = 'refunded' WHERE p.currency = $3 AND a.at >= $1
   AND a.at < $2),
 (SELECT count(*) FROM o JOIN paid ON paid.order_id = o.id WHERE paid.at >= $1 AND paid.at < $2),
 (SELECT count(*) FROM o JOIN cancelled c ON c.order_id = o.id WHERE c.at >= $1 AND c.at < $2),
 (SELECT count(*) FROM payments.payment_attempts a JOIN payments.payments p ON p.id = a.payment_id
   WHERE a.outcome = 'declined' AND p.currency = $3 AND a.at >= $1 AND a.at < $2)
""",
    "days": """
SELECT (o.placed_at AT TIME ZONE 'UTC')::date, o.status, count(*) FROM ordering.orders o
WHERE o.currency = $3 AND o.placed_at >= $1 AND o.placed_at < $2 GROUP BY 1, 2
""",
    "revenue": """
SELECT (a.at AT TIME ZONE 'UTC')::date, a.outcome, sum(p.amount) FROM payments.payment_attempts a
JOIN payments.payments p ON p.id = a.payment_id WHERE p.currency = $3 AND a.at >= $1
AND a.at < $2 AND a.outcome IN ('captured', 'refunded') GROUP BY 1, 2
""",
    "funnel": """
SELECT h.status, count(DISTINCT h.order_id) FROM ordering.orders o
JOIN ordering.order_history h ON h.order_id = o.id
WHERE o.currency = $3 AND o.placed_at >= $1 AND o.placed_at < $2 GROUP BY 1
""",
    "cancelled": """
SELECT h.reason, count(*) FROM ordering.order_history h JOIN ordering.orders o ON o.id = h.order_id
WHERE h.status = 'cancelled' AND o.currency = $3 AND h.at >= $1 AND h.at < $2 GROUP BY 1
""",
    "top": """
SELECT l.product_id, sum(l.quantity), sum(l.quantity * l.unit_price_amount) AS revenue
FROM ordering.order_lines l JOIN ordering.orders o ON o.id = l.order_id
WHERE o.currency = $3 AND o.placed_at >= $1 AND o.placed_at < $2
AND o.status IN ('paid', 'shipped', 'delivered') GROUP BY 1 ORDER BY revenue DESC LIMIT 5
""",
    "failures": """
SELECT p.failure_reason, count(*) FROM payments.payments p JOIN payments.payment_attempts a
ON a.payment_id = p.id AND a.outcome = 'declined' WHERE p.currency = $3 AND a.at >= $1
AND a.at < $2 GROUP BY 1
""",
}


async def scan(connection: asyncpg.Connection, since: datetime, until: datetime) -> Any:
    previous = since - (until - since)
    figures = {}
    for name, statement in SCAN.items():
        figures[name] = await connection.fetch(statement, since, until, "EUR")
    figures["previous"] = await connection.fetch(SCAN["kpis"], previous, since, "EUR")
    return figures


async def measure(name: str, orders: int, runs: int) -> None:
    orion = Orion(
        Settings(jwt_keys=SecretStr("bench:" + "k" * 40), data_dir=Path(mkdtemp())),
        database_url(name),
    )
    await orion.migrate()
    connection = await asyncpg.connect(database_dsn(name))
    try:
        started = time.perf_counter()
        await connection.execute(FILL.replace("$1", str(orders)))
        await connection.execute(READ_MODEL)
        print(f"{orders:,} orders made in {time.perf_counter() - started:.1f} s")
        end = datetime.now(UTC).date()
        start = end - timedelta(days=29)
        query = GetOverview(start=start, end=end, currency="EUR")
        since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
        until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        overview = await orion.mediator.ask(query)  # warm both
        scanned = await scan(connection, since, until)
        kpis = scanned["kpis"][0]
        assert (overview.kpis.orders, overview.kpis.gross, overview.kpis.refunds) == (
            kpis[0],
            kpis[2],
            kpis[3],
        ), (overview.kpis, kpis)
        read_model, scanning = [], []
        for _ in range(runs):  # alternately, so that drift hits both
            started = time.perf_counter()
            await orion.mediator.ask(query)
            read_model.append(time.perf_counter() - started)
            started = time.perf_counter()
            await scan(connection, since, until)
            scanning.append(time.perf_counter() - started)
    finally:
        await connection.close()
        await orion.aclose()
    fast, slow = statistics.median(read_model), statistics.median(scanning)
    print(f"overview of 30 days, {overview.kpis.orders:,} orders in it, median of {runs} runs:")
    print(f"  read model (GetOverview)       {fast * 1000:8.1f} ms")
    print(f"  scanning the write tables      {slow * 1000:8.1f} ms")
    print(f"  ratio scan / read model        {slow / fast:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(load_average())
    configure_logging(level="WARNING", fmt="console")
    with throwaway_database() as name:
        asyncio.run(measure(name, args.orders, args.runs))


if __name__ == "__main__":
    main()
