"""Aggregate roots record what happened to them; the unit of work collects it on commit."""

from __future__ import annotations


class AggregateRoot:
    """Holds the domain events recorded since load, and the version used for optimistic locks.

    ``version`` is the version as persisted when loaded (0 for a new aggregate); each
    recorded change bumps it once, so the repository can write ``WHERE version = loaded``.
    """

    def __init__(self, *, version: int) -> None:
        self.version = version
        self._loaded_version = version
        self._events: list[object] = []

    @property
    def loaded_version(self) -> int:
        return self._loaded_version

    def _record(self, event: object) -> None:
        self._changed()
        self._events.append(event)

    def _note(self, event: object) -> None:
        """Records an event that changes no state (someone asked for something): the version
        stays, so the aggregate need not be written back for it."""
        self._events.append(event)

    def _changed(self) -> None:
        """A change worth a new version, whether or not it records an event."""
        if self.version == self._loaded_version:
            self.version += 1

    @property
    def recorded(self) -> tuple[object, ...]:
        """The events recorded since load and not yet pulled, left in place."""
        return tuple(self._events)

    @property
    def changed(self) -> bool:
        """Whether it recorded anything since it was loaded or made (a new one has)."""
        return bool(self._events) or self.version != self._loaded_version

    def pull_events(self) -> list[object]:
        events, self._events = self._events, []
        return events

    def mark_persisted(self) -> None:
        self._loaded_version = self.version
