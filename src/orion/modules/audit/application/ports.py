"""The ports the auditor's use cases need; ``adapters/sql/store.py`` implements them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from orion.modules.audit.contracts.queries import AuditStatus
from orion.modules.audit.domain.verdict import Verdict


class AuditStore(Protocol):
    """The findings still open, the periodic run's checkpoint, and the repairs made."""

    async def open_findings(self, invariant: str) -> set[str]: ...

    async def record(self, invariant: str, verdict: Verdict, *, at: datetime) -> None:
        """Keeps the violations as open findings; closes the judged subjects that no longer
        break the invariant (every other finding too, when the verdict is complete)."""

    async def claim(self, *, now: datetime, lease: timedelta) -> tuple[bool, datetime | None]:
        """Takes the periodic run for ``lease`` unless another replica holds it: whether it
        was taken, and the checkpoint (None before the first run)."""

    async def advance(self, *, to: datetime, at: datetime) -> None:
        """The periodic run is done up to ``to``: the checkpoint moves, the lease ends."""

    async def repaired(self, invariant: str, subject: str, problem: str, *, at: datetime) -> None:
        """Records a repair, as any admin write is (a row and a log line)."""


class AuditFindings(Protocol):
    async def status(self, examples: int) -> AuditStatus:
        """The open findings of each invariant (the first ``examples`` of them) and when the
        periodic run last completed."""
