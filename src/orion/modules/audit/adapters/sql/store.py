"""The auditor's findings, its periodic run and its repairs, in its own schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.audit.domain.verdict import Verdict
from orion.shared_kernel.adapters.sql import keyset

from .tables import findings, repairs, runs

PERIODIC = "periodic"

log = structlog.get_logger("orion.audit")


class SqlAuditStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open_findings(self, invariant: str) -> set[str]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                sa.select(findings.c.subject).where(findings.c.invariant == invariant)
            )
            return {subject for (subject,) in rows}

    async def record(self, invariant: str, verdict: Verdict, *, at: datetime) -> None:
        mine = findings.c.invariant == invariant
        still = keyset.one_of(findings.c.subject, list(verdict.violations))
        gone = sa.delete(findings).where(mine, sa.not_(still))
        if not verdict.complete:
            gone = gone.where(keyset.one_of(findings.c.subject, list(verdict.judged)))
        async with self._engine.begin() as connection:
            await connection.execute(gone)
            if verdict.violations:
                seen = insert(findings).values(
                    [
                        {
                            "invariant": invariant,
                            "subject": subject,
                            "problem": problem,
                            "first_seen_at": at,
                            "last_seen_at": at,
                        }
                        for subject, problem in verdict.violations.items()
                    ]
                )
                await connection.execute(
                    seen.on_conflict_do_update(
                        index_elements=[findings.c.invariant, findings.c.subject],
                        set_={"problem": seen.excluded.problem, "last_seen_at": at},
                    )
                )
        if verdict.violations:
            log.warning("audit_violations", invariant=invariant, count=len(verdict.violations))

    async def claim(self, *, now: datetime, lease: timedelta) -> tuple[bool, datetime | None]:
        free = sa.or_(runs.c.claimed_until.is_(None), runs.c.claimed_until < now)
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(runs).values(name=PERIODIC).on_conflict_do_nothing(index_elements=["name"])
            )
            row = (
                await connection.execute(
                    sa.update(runs)
                    .where(runs.c.name == PERIODIC, free)
                    .values(claimed_until=now + lease)
                    .returning(runs.c.checkpoint)
                )
            ).first()
        return (False, None) if row is None else (True, row.checkpoint)

    async def advance(self, *, to: datetime, at: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                sa.update(runs)
                .where(runs.c.name == PERIODIC)
                .values(checkpoint=to, last_run_at=at, claimed_until=None)
            )

    async def repaired(self, invariant: str, subject: str, problem: str, *, at: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                sa.insert(repairs).values(
                    invariant=invariant, subject=subject, problem=problem, at=at
                )
            )
        log.info("audit_repaired", invariant=invariant, subject=subject, problem=problem)
