"""The SQL unit of work: one connection, one transaction, the outbox rows in it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.shared_kernel.adapters.sql.audit import AuditTrail, record
from orion.shared_kernel.adapters.sql.engine import CommitUncertain
from orion.shared_kernel.adapters.sql.outbox import outbox_rows
from orion.shared_kernel.application import context
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.application.unit_of_work import A, EventMapper, StagedEvents, no_events

AfterCommit = Callable[[Sequence[IntegrationEvent]], Awaitable[None]]


@cache
def _record_delivery(inbox: Table) -> Insert:
    """Built once per inbox, not per message."""
    return insert(inbox).on_conflict_do_nothing()


_ABSENT = object()


class LoadedRows:
    """Each aggregate's columns as read or last written, so that an update writes only the
    columns that changed: a reservation changes a product's stock and version, not its
    other eleven columns, and the row's unchanged values are not sent again."""

    def __init__(self, columns: Callable[[Any], dict[str, Any]]) -> None:
        self._columns = columns
        self._rows: dict[uuid.UUID, dict[str, Any]] = {}

    def seen(self, key: uuid.UUID, aggregate: A) -> A:
        """``aggregate`` as it is in the database now (read, inserted or updated)."""
        self._rows[key] = self._columns(aggregate)
        return aggregate

    def changes(self, key: uuid.UUID, aggregate: Any) -> dict[str, Any]:
        """The columns of ``aggregate`` that differ from what ``seen`` last recorded (all of
        them for one never seen)."""
        now = self._columns(aggregate)
        before = self._rows.get(key)
        if before is None:
            return now
        return {name: value for name, value in now.items() if before.get(name, _ABSENT) != value}


class Track(Protocol):
    """What a repository calls with each aggregate it loads or adds (``SqlUnitOfWork.track``)."""

    def __call__(self, aggregate: A) -> A: ...


class SqlUnitOfWork:
    """Base of each module's unit of work; subclasses build their repositories in ``_open``,
    handing them ``track`` for the aggregates they load and add.

    ``events`` maps what those aggregates recorded to the module's integration events, on
    commit. ``after_commit``, when given, is awaited with the events of each commit once it
    is durable (a module drops its cached reads there)."""

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        inbox: Table | None = None,
        *,
        events: EventMapper = no_events,
        after_commit: AfterCommit | None = None,
        audit: Table | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._inbox = inbox
        self._after_commit = after_commit
        self._connection: AsyncConnection | None = None
        self._staged = StagedEvents(events)
        self._audit = audit
        self._trail = AuditTrail()

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._connection

    def _open(self, connection: AsyncConnection) -> None:
        """Hook for subclasses: bind repositories to the transaction's connection."""

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        await self._connection.begin()
        self._staged.clear()
        self._trail.clear()
        self._open(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self.connection, None
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    async def first_delivery(self, consumer: str, message_id: uuid.UUID, type_: str) -> bool:
        """Records the message in the inbox; false if this consumer has it already."""
        if self._inbox is None:
            raise RuntimeError("this module consumes no events: it has no inbox")
        inserted = await self.connection.execute(
            _record_delivery(self._inbox),
            {"consumer": consumer, "message_id": message_id, "type": type_},
        )
        return inserted.rowcount == 1

    async def delivered(self, consumer: str, message_id: uuid.UUID) -> bool:
        """Whether this consumer has recorded the message already (a read; no lock)."""
        if self._inbox is None:
            raise RuntimeError("this module consumes no events: it has no inbox")
        found = await self.connection.scalar(
            select(self._inbox.c.message_id).where(
                self._inbox.c.consumer == consumer, self._inbox.c.message_id == message_id
            )
        )
        return found is not None

    def track(self, aggregate: A) -> A:
        """Called by repositories: the aggregate's recorded events are published on commit;
        for an admin's write (``context.actor``) what it changed goes to the audit log."""
        if self._audit is not None and context.actor.get() is not None:
            self._trail.track(aggregate, new=aggregate.changed)  # tracked as added
        return self._staged.track(aggregate)

    def publish(self, *events: IntegrationEvent) -> None:
        self._staged.publish(*events)

    async def commit(self) -> None:
        actor = context.actor.get()
        if self._audit is not None and actor is not None:
            await record(self.connection, self._audit, self._trail.rows(actor))
        events = self._staged.collect()
        if events:
            await self.connection.execute(self._outbox.insert(), outbox_rows(events))
        try:
            await self.connection.commit()
        except DBAPIError as error:
            if error.connection_invalidated:  # it may have committed: never run it again
                raise CommitUncertain("the connection was lost while committing") from error
            raise
        if self._after_commit is not None and events:
            await self._after_commit(events)
