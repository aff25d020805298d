"""The in-process mediator: how adapters reach use cases and how modules ask each other."""

from __future__ import annotations

from typing import Protocol, TypeVar

from orion.shared_kernel.application.messages import Command, Query

R = TypeVar("R")


class Mediator(Protocol):
    async def send(self, command: Command[R]) -> R: ...

    async def ask(self, query: Query[R]) -> R: ...
