"""What one check of an invariant finds, and the window it looks at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """What settled in [``since``, ``before``): ``before`` is the run's time less the grace
    period, so nothing the saga is still moving is judged."""

    since: datetime | None
    before: datetime
    now: datetime

    def settled(self, changed_at: datetime | None) -> bool:
        return changed_at is None or changed_at < self.before


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The subjects a check could judge (all they were made of had settled), and those that
    break the invariant with their problem (a stable code). ``complete``: the check judged
    every subject there is, so an open finding it did not judge is gone too."""

    judged: set[str] = field(default_factory=set)
    violations: dict[str, str] = field(default_factory=dict)
    complete: bool = False

    def judge(self, subject: str, problem: str | None) -> None:
        self.judged.add(subject)
        if problem is not None:
            self.violations[subject] = problem
