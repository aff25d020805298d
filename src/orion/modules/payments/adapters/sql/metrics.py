"""Payments by status, read from the module's table when ``/metrics`` is scraped: the
alert on a spike of failures compares how ``failed`` grows with how all settled ones grow."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.payments.adapters.sql.tables import payments
from orion.modules.payments.domain.payment import PaymentStatus
from orion.shared_kernel.adapters.metrics import Probe


def payments_probe(engine: AsyncEngine) -> Probe:
    async def probe() -> list[Metric]:
        family = GaugeMetricFamily(
            "orion_payments", "Payments by their current status.", labels=["status"]
        )
        async with engine.connect() as connection:
            counts: dict[str, int] = dict(
                (
                    await connection.execute(
                        sa.select(payments.c.status, sa.func.count()).group_by(payments.c.status)
                    )
                ).all()
            )
        for status in PaymentStatus:
            family.add_metric([status.value], counts.get(status.value, 0))
        return [family]

    return probe
