"""What the CLI and the periodic job may tell the auditor to do, through the mediator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.messages import Command

INVARIANTS = (
    "order_payment",
    "reservation_release",
    "stock_ledger",
    "order_emails",
    "messages_flowing",
)
REPAIRABLE = ("order_payment", "reservation_release")


@dataclass(frozen=True, slots=True, kw_only=True)
class RunAudit(Command["AuditReport | None"]):
    """Checks every invariant over what settled in [``since``, now - grace), and again every
    finding still open. ``since`` None: from the beginning. ``from_checkpoint``: from where
    the last such run stopped (the first, one interval back), and moves the checkpoint (the
    periodic job); a run that finds another one in progress does nothing and answers None."""

    since: datetime | None = None
    from_checkpoint: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """A subject that breaks an invariant (an order id, a message id: never personal data)
    and what is wrong with it, as a stable code."""

    subject: str
    problem: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InvariantResult:
    invariant: str
    checked: int
    violations: int
    examples: list[Example]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditReport:
    since: datetime | None
    before: datetime
    results: list[InvariantResult]


@dataclass(frozen=True, slots=True, kw_only=True)
class RepairInvariant(Command["Repaired"]):
    """Fixes the open findings of ``invariant`` that have a mechanical, idempotent fix,
    through the owning module's commands, after checking them again."""

    invariant: str
    since: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Repaired:
    invariant: str
    repaired: list[Example]
    left: list[Example]  # violations with no mechanical fix: the docs say what to do
