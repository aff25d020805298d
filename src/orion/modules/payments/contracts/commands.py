"""What an operator (the CLI) or a scheduler may tell the payments module to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from orion.shared_kernel.application.messages import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconcile(Command["Reconciled"]):
    """Asks the provider about payments left unsettled for longer than ``after`` and
    converges them; one never answered for longer than ``give_up_after`` fails."""

    after: timedelta
    give_up_after: timedelta
    limit: int = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconciled:
    examined: int
    settled: int
    still_unsettled: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundCapturedPayment(Command[bool]):
    """Refunds the order's captured payment, as the order's cancellation would have (the
    consistency auditor's repair of a cancelled order's capture). Answers whether there was
    a capture to refund: once refunded, a second call is a no-op."""

    order_id: uuid.UUID
