"""What other modules may ask the auditor, through the mediator: its open findings (the
admin dashboard's operations page shows them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orion.modules.audit.contracts.commands import Example
from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenFindings:
    """An invariant's violations seen and not yet seen gone, and the first of them."""

    invariant: str
    violations: int
    examples: list[Example]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditStatus:
    """When the periodic audit last completed (None: never), and each invariant's findings."""

    last_run_at: datetime | None
    invariants: list[OpenFindings]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetAuditStatus(Query[AuditStatus]):
    examples: int = 3
