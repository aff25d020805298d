"""The auditor's results as metrics, read from its findings when ``/metrics`` is scraped:
what every process reads alike, whichever replica ran the audit."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.metrics import Probe

from .store import PERIODIC
from .tables import findings, runs


def audit_probe(engine: AsyncEngine, invariants: tuple[str, ...]) -> Probe:
    async def probe() -> list[Metric]:
        violations = GaugeMetricFamily(
            "orion_audit_violations",
            "Open findings of the consistency auditor, by invariant (docs/audit/).",
            labels=["invariant"],
        )
        last_run = GaugeMetricFamily(
            "orion_audit_last_run_timestamp_seconds",
            "When the periodic audit last completed (Unix time; absent before its first run).",
        )
        async with engine.connect() as connection:
            counts: dict[str, int] = dict(
                (
                    await connection.execute(
                        sa.select(findings.c.invariant, sa.func.count()).group_by(
                            findings.c.invariant
                        )
                    )
                ).all()
            )
            ran = await connection.scalar(
                sa.select(runs.c.last_run_at).where(runs.c.name == PERIODIC)
            )
        for invariant in invariants:
            violations.add_metric([invariant], counts.get(invariant, 0))
        metrics: list[Metric] = [violations]
        if ran is not None:
            last_run.add_metric([], ran.timestamp())
            metrics.append(last_run)
        return metrics

    return probe
