"""The mediator and its pipeline.

Every message goes through the same chain of behaviours before its handler: the chain is
composed once per handler at registration, so dispatch costs one dict lookup and the calls.
A handler registered with a unit of work is transactional: the innermost step of its chain
opens the unit of work, hands it to the handler and commits it when the handler returns
(eShop's ``TransactionBehavior``), so the handler says what it does, not how it commits.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar, cast

import structlog

from orion.shared_kernel.application.messages import Command, Query
from orion.shared_kernel.application.unit_of_work import UnitOfWork
from orion.shared_kernel.domain.errors import DependencyUnavailable, DomainError

R = TypeVar("R")
Handler = Callable[[Any], Awaitable[Any]]
TransactionalHandler = Callable[[Any, Any], Awaitable[Any]]  # (message, its unit of work)
Behaviour = Callable[[Any, Handler], Awaitable[Any]]

log = structlog.get_logger("orion.mediator")


class HandlerNotFound(LookupError):
    pass


class InProcessMediator:
    def __init__(self, behaviours: Sequence[Behaviour] = ()) -> None:
        self._behaviours = tuple(behaviours)
        self._handlers: dict[type, Handler] = {}

    def register(
        self,
        message_type: type,
        handler: Handler | TransactionalHandler,
        *,
        unit_of_work: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        """``unit_of_work`` given: ``handler(message, uow)`` runs in one transaction."""
        if message_type in self._handlers:
            raise ValueError(f"a handler for {message_type.__name__} is already registered")
        chained = cast(Handler, handler)
        if unit_of_work is not None:
            chained = in_transaction(unit_of_work, cast(TransactionalHandler, handler))
        for behaviour in reversed(self._behaviours):
            chained = _link(behaviour, chained)
        self._handlers[message_type] = chained

    async def send(self, command: Command[R]) -> R:
        return cast(R, await self._dispatch(command))

    async def ask(self, query: Query[R]) -> R:
        return cast(R, await self._dispatch(query))

    async def _dispatch(self, message: object) -> Any:
        try:
            handler = self._handlers[type(message)]
        except KeyError:
            raise HandlerNotFound(f"no handler for {type(message).__name__}") from None
        return await handler(message)


def in_transaction(
    unit_of_work: Callable[[], UnitOfWork], handler: TransactionalHandler
) -> Handler:
    async def call(message: Any) -> Any:
        async with unit_of_work() as uow:
            result = await handler(message, uow)
            await uow.commit()
        return result

    return call


def _link(behaviour: Behaviour, next_handler: Handler) -> Handler:
    async def call(message: Any) -> Any:
        return await behaviour(message, next_handler)

    return call


async def log_context(message: Any, next_handler: Handler) -> Any:
    """Names the message in every log line its handler writes, and logs how it ended."""
    name = type(message).__name__
    started = time.perf_counter()
    with structlog.contextvars.bound_contextvars(message=name):
        try:
            result = await next_handler(message)
        except DomainError as error:
            log.info("message_refused", error=error.code, detail=error.detail)
            raise
        except Exception:
            log.exception("message_failed")
            raise
        log.debug("message_handled", ms=round((time.perf_counter() - started) * 1000, 3))
        return result


_RETRYING: ContextVar[bool] = ContextVar("orion_retrying", default=False)


Retrier = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]


def retried(run_again: Retrier) -> Behaviour:
    """Hands each message's handler to ``run_again``, which may run it once more after a
    failure that rolled its unit of work back (a dropped connection...). Only the outermost
    message is handed over: a query a handler asks is run again with its handler."""

    async def behaviour(message: Any, next_handler: Handler) -> Any:
        if _RETRYING.get():
            return await next_handler(message)
        token = _RETRYING.set(True)
        try:
            return await run_again(lambda: next_handler(message))
        finally:
            _RETRYING.reset(token)

    return behaviour


def map_errors(unavailable: tuple[type[BaseException], ...]) -> Behaviour:
    """Turns infrastructure failures (a database that cannot be reached...) into
    ``DependencyUnavailable``, so that every adapter answers them the same way (503)."""

    async def behaviour(message: Any, next_handler: Handler) -> Any:
        try:
            return await next_handler(message)
        except unavailable as error:
            raise DependencyUnavailable(
                f"{type(error).__name__} while handling {type(message).__name__}"
            ) from error

    return behaviour
