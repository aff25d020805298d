"""What an operator (the CLI) or a scheduler may tell the payments module to do."""

from __future__ import annotations

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
