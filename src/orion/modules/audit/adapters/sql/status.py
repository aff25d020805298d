"""The auditor's open findings and last run, read from its tables (``AuditFindings``): for
the dashboard (``GetAuditStatus``) and for ``/metrics`` alike, whichever replica ran the
audit."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.audit.contracts.commands import Example
from orion.modules.audit.contracts.queries import AuditStatus, OpenFindings
from orion.shared_kernel.adapters.metrics import Probe

from .store import PERIODIC
from .tables import findings, runs


class SqlAuditStatus:
    def __init__(self, engine: AsyncEngine, invariants: tuple[str, ...]) -> None:
        self._engine = engine
        self._invariants = invariants

    async def status(self, examples: int) -> AuditStatus:
        ranked = sa.select(
            findings.c.invariant,
            findings.c.subject,
            findings.c.problem,
            sa.func.count().over(partition_by=findings.c.invariant).label("violations"),
            sa.func.row_number()
            .over(partition_by=findings.c.invariant, order_by=findings.c.first_seen_at)
            .label("rank"),
        ).subquery()
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(sa.select(ranked).where(ranked.c.rank <= max(examples, 1)))
            ).all()
            last_run_at = await connection.scalar(
                sa.select(runs.c.last_run_at).where(runs.c.name == PERIODIC)
            )
        counts = {row.invariant: row.violations for row in rows}
        first = {
            invariant: [
                Example(subject=row.subject, problem=row.problem)
                for row in rows
                if row.invariant == invariant and row.rank <= examples
            ]
            for invariant in self._invariants
        }
        return AuditStatus(
            last_run_at=last_run_at,
            invariants=[
                OpenFindings(
                    invariant=invariant,
                    violations=counts.get(invariant, 0),
                    examples=first[invariant],
                )
                for invariant in self._invariants
            ],
        )


def audit_probe(status: SqlAuditStatus) -> Probe:
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
        now = await status.status(examples=0)
        for found in now.invariants:
            violations.add_metric([found.invariant], found.violations)
        metrics: list[Metric] = [violations]
        if now.last_run_at is not None:
            last_run.add_metric([], now.last_run_at.timestamp())
            metrics.append(last_run)
        return metrics

    return probe
