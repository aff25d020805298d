"""One business transaction: state changes and the events they publish commit together."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from orion.shared_kernel.application.messages import IntegrationEvent


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
        """Stage events for the outbox; they are written in the same transaction on commit."""

    async def commit(self) -> None: ...
