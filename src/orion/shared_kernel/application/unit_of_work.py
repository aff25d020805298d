"""One business transaction: state changes and the events they publish commit together.

Handlers do not publish what their aggregates did: a module's repositories ``track`` every
aggregate they load or add, and ``commit()`` turns the domain events those aggregates
recorded into the module's integration events (through the module's one mapper) and writes
them to the outbox in the same transaction, as cosmicpython's ``collect_new_events`` does.
``publish`` stays for the few facts no aggregate records (each such use says why).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.domain.aggregate import AggregateRoot

A = TypeVar("A", bound=AggregateRoot)

# (aggregate, the domain events it recorded, oldest first) -> its module's integration events
EventMapper = Callable[[Any, Sequence[object]], Sequence[IntegrationEvent]]


class UnitOfWork(Protocol):
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls it back."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def publish(self, *events: IntegrationEvent) -> None:
        """Stage events no aggregate recorded; written in the same transaction on commit."""

    async def commit(self) -> None: ...


class StagedEvents:
    """What one transaction will write to its module's outbox: the events of the aggregates
    its repositories saw, mapped when the transaction commits, after those published by hand.
    Shared by the SQL units of work and the tests' fakes, so both stage alike."""

    def __init__(self, mapper: EventMapper) -> None:
        self._mapper = mapper
        self._seen: list[AggregateRoot] = []
        self._published: list[IntegrationEvent] = []

    def track(self, aggregate: A) -> A:
        if not any(seen is aggregate for seen in self._seen):
            self._seen.append(aggregate)
        return aggregate

    def publish(self, *events: IntegrationEvent) -> None:
        self._published.extend(events)

    def collect(self) -> list[IntegrationEvent]:
        """Every staged event, once: the aggregates' recorded events are pulled."""
        events = list(self._published)
        for aggregate in self._seen:
            recorded = aggregate.pull_events()
            if recorded:
                events.extend(self._mapper(aggregate, recorded))
        self.clear()
        return events

    def clear(self) -> None:
        self._seen = []
        self._published = []


def no_events(aggregate: object, recorded: Sequence[object]) -> Sequence[IntegrationEvent]:
    """The mapper of a module whose aggregates publish nothing: an event recorded there would
    be lost, so it is refused."""
    raise TypeError(f"{type(aggregate).__name__} recorded {recorded!r}, which maps to no event")
