"""Ordering's business metrics, read from its own tables when ``/metrics`` is scraped.

Also the saga's backlog (orders not yet settled) beside checkout's bound on it (ADR 40).

The history is append-only, so counting its entries gives counters that only grow (and
that every process reads alike): orders placed (entered ``pending``), paid and cancelled,
and the revenue of paid orders by currency, in minor units.
"""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.ordering.adapters.sql.backlog import COUNT_UNSETTLED
from orion.modules.ordering.adapters.sql.tables import order_history, order_summaries
from orion.shared_kernel.adapters.metrics import Probe

COUNTED = {"pending": "placed", "paid": "paid", "cancelled": "cancelled"}


def orders_probe(engine: AsyncEngine) -> Probe:
    async def probe() -> list[Metric]:
        orders = CounterMetricFamily(
            "orion_orders",
            "Orders by what happened to them (placed, paid, cancelled).",
            labels=["event", "currency"],
        )
        revenue = CounterMetricFamily(
            "orion_revenue_minor_units",
            "Totals of paid orders, in the currency's minor units.",
            labels=["currency"],
        )
        query = (
            sa.select(
                order_history.c.status,
                order_summaries.c.currency,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(order_summaries.c.total_amount), 0),
            )
            .join(order_summaries, order_summaries.c.id == order_history.c.order_id)
            .where(order_history.c.status.in_(list(COUNTED)))
            .group_by(order_history.c.status, order_summaries.c.currency)
        )
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        for status, currency, count, total in rows:
            orders.add_metric([COUNTED[status], currency], count)
            if status == "paid":
                revenue.add_metric([currency], int(total))
        return [orders, revenue]

    return probe


def unsettled_probe(engine: AsyncEngine, bound: int) -> Probe:
    """The saga's backlog and the bound past which checkout refuses (ADR 40), for the alert
    ``OrionCheckoutShedding``."""

    async def probe() -> list[Metric]:
        async with engine.connect() as connection:
            count = await connection.scalar(COUNT_UNSETTLED) or 0
        unsettled = GaugeMetricFamily(
            "orion_orders_unsettled", "Orders placed and not yet paid or cancelled."
        )
        unsettled.add_metric([], count)
        limit = GaugeMetricFamily(
            "orion_orders_unsettled_bound",
            "ORION_CHECKOUT_MAX_UNSETTLED: from this many unsettled orders, checkout answers 503.",
        )
        limit.add_metric([], bound)
        return [unsettled, limit]

    return probe
