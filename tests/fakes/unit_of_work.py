"""The base of every module's fake unit of work: what a transaction promises, in memory.

Repositories hold their rows in ``stores`` (one dict per repository, by key); a transaction
works on a deep copy that replaces the committed one only on ``commit()``, as PostgreSQL
would, and the events the module's mapper makes of its tracked aggregates land in ``outbox``
then, through the same ``StagedEvents`` the SQL unit of work uses.
"""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Any, Self

from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.application.unit_of_work import A, EventMapper, StagedEvents, no_events
from orion.shared_kernel.domain.aggregate import AggregateRoot


class FakeUnitOfWork:
    def __init__(self, events: EventMapper = no_events) -> None:
        self.committed: dict[str, dict[Any, Any]] = {}
        self.outbox: list[IntegrationEvent] = []
        self.commits = 0
        self.rollbacks = 0
        self._working: dict[str, dict[Any, Any]] | None = None
        self._staged = StagedEvents(events)

    def __call__(self) -> Self:
        """The fake is its own factory: every transaction sees the same committed state."""
        return self

    def table(self, name: str) -> dict[Any, Any]:
        """A repository's rows as this transaction sees them."""
        if self._working is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._working.setdefault(name, {})

    def track(self, aggregate: A) -> A:
        return self._staged.track(aggregate)

    def publish(self, *events: IntegrationEvent) -> None:
        self._staged.publish(*events)

    async def __aenter__(self) -> Self:
        if self._working is not None:
            raise RuntimeError("a fake unit of work holds one transaction at a time")
        self._working = copy.deepcopy(self.committed)
        self._staged.clear()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._working is not None:
            self.rollbacks += 1
        self._working = None
        self._staged.clear()

    async def commit(self) -> None:
        events = self._staged.collect()
        assert self._working is not None
        self.committed = self._working
        self._working = None
        self.outbox.extend(events)
        self.commits += 1


def stored(aggregate: AggregateRoot) -> Any:
    """A copy as a table would hold it: state only, none of the pending events."""
    copied = copy.deepcopy(aggregate)
    copied.pull_events()
    return copied
