"""Periodic jobs (clean-ups, reconciliations) run by the processes that run consumers.

Each job must be safe to run in several replicas at once: a job that fails is logged with
its traceback and tried again at its next tick; it never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

log = structlog.get_logger("orion.periodic")


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodicJob:
    name: str
    interval_s: float
    run: Callable[[], Awaitable[object]]


async def run_periodically(jobs: Sequence[PeriodicJob], stop: asyncio.Event) -> None:
    """Runs each job now and then every ``interval_s`` (±10 %, so that replicas spread
    out) until ``stop`` is set; a job in progress is let finish."""

    async def loop(job: PeriodicJob) -> None:
        while not stop.is_set():
            try:
                await job.run()
            except Exception:  # logged and tried again at the next tick
                log.exception("periodic_job_failed", job=job.name)
            spread = random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not a secret
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), job.interval_s * spread)

    await asyncio.gather(*(loop(job) for job in jobs))
