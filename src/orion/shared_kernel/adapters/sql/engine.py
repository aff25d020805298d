"""The async engine: SQLAlchemy Core on asyncpg, PostgreSQL only.

A slow or flaky database must not pile requests up: every statement has a time limit (the
server's ``statement_timeout`` and ``lock_timeout``, and the client's own a second later, for
a server that no longer answers at all), connecting and waiting for a pooled connection
too. What runs past them, or cannot reach the server, is ``UNAVAILABLE``: 503 with
``Retry-After``. A connection the server dropped is discarded by the pool, and ``transient``
says which failures a unit of work may be tried again after.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import asyncpg
import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.ext.asyncio
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from orion.shared_kernel.adapters.settings import PlatformSettings

T = TypeVar("T")
log = structlog.get_logger("orion.sql")

# Failures that mean "the database (or another dependency) cannot serve now": 503, not 500.
UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    asyncio.TimeoutError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
)
# SQLSTATEs of a transaction PostgreSQL rolled back for its own reasons: run it again
SERIALIZATION_FAILURE, DEADLOCK_DETECTED = "40001", "40P01"
# ... and of a statement past statement_timeout or lock_timeout: the database is too slow now
TIMED_OUT = ("57014", "55P03")


class StatementTimedOut(TimeoutError):
    """A statement ran past ``statement_timeout`` or waited past ``lock_timeout``: 503, as
    the client's own timeout would be (a ``TimeoutError``)."""


class ConnectionLost(ConnectionError):
    """The server dropped the connection before the work committed: the pool has discarded
    it, and the work may run again on another (``transient``)."""


class CommitUncertain(ConnectionError):
    """The connection was lost while committing: the transaction may or may not have
    committed, so it is never run again on its own (503, as an ``OSError``: the client
    retries, idempotently)."""


def transient(error: BaseException) -> bool:
    """A failure after which the unit of work may simply run again: it cannot have
    committed, and running it again may well succeed (a dropped connection, replaced by the
    pool; a serialization failure; a deadlock)."""
    if isinstance(error, ConnectionLost):
        return True
    if isinstance(error, CommitUncertain) or not isinstance(error, sqlalchemy.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    return getattr(error.orig, "sqlstate", None) in (SERIALIZATION_FAILURE, DEADLOCK_DETECTED)


async def once_more_if_transient(work: Callable[[], Awaitable[T]]) -> T:
    """Runs ``work`` (a whole unit of work, or a read), and once more after a ``transient``
    failure: the pool has discarded the dropped connection, so the second try takes a new
    one. Anything else, or a second failure, is raised."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(transient),
        stop=stop_after_attempt(2),
        reraise=True,
        before_sleep=_log_retry,
    ):
        with attempt:
            return await work()
    raise AssertionError("unreachable: the last attempt returns or raises")


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning("database_work_retried", error=type(error).__name__)


# a login refused for its credentials: the user was dropped (its lease revoked) or expired
REFUSED_LOGIN = (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)


class Credentials(Protocol):
    """Who new connections log in as, when that changes while the process runs (Vault's
    short-lived database users: ``adapters/vault.py``)."""

    def current(self) -> tuple[str, str, int]:
        """User, password, and a generation that goes up when they are replaced."""

    async def refresh(self, stale: int) -> None:
        """Replaces the credentials of generation ``stale``, if not done already."""

    def keep(self) -> None:
        """Starts their upkeep in the running loop (idempotent)."""


def create_engine(
    url: str,
    *,
    pool_size: int,
    pool_timeout_s: float = 10,
    statement_timeout_ms: int | None = 5000,
    lock_timeout_ms: int | None = 2000,
    echo: bool = False,
    credentials: Credentials | None = None,
) -> AsyncEngine:
    """None for a timeout: none (migrations may run long and wait for each other's lock)."""
    server_settings = {"application_name": "orion"}
    connect_args: dict[str, object] = {"server_settings": server_settings}
    if statement_timeout_ms is not None:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
        # a server that stopped answering: the client gives up a second after the server
        # would have cancelled the statement, and connecting has the same bound
        connect_args["command_timeout"] = connect_args["timeout"] = statement_timeout_ms / 1000 + 1
    if lock_timeout_ms is not None:
        server_settings["lock_timeout"] = str(lock_timeout_ms)
    # looked up at each call, not imported: tracing wraps the factory when it is configured,
    # after this module was imported, and the wrapper gives the engine its SQL spans
    engine = sqlalchemy.ext.asyncio.create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,  # overflow connections are opened and closed per burst: bound, reuse
        pool_timeout=pool_timeout_s,
        pool_pre_ping=False,  # a dead connection fails its transaction, which is run again
        echo=echo,
        hide_parameters=True,  # an error names its statement, never the values (hashes, emails)
        connect_args=connect_args,
    )
    sqlalchemy.event.listen(engine.sync_engine, "handle_error", _timeouts_are_unavailable)
    if credentials is not None:
        log_in_as(engine, credentials)
    return engine


def _timeouts_are_unavailable(context: sqlalchemy.engine.ExceptionContext) -> None:
    """SQLAlchemy reports a cancelled statement as a plain ``DBAPIError``; it is the
    database being too slow, so it is raised as a timeout (503)."""
    if getattr(context.original_exception, "sqlstate", None) in TIMED_OUT:
        raise StatementTimedOut(str(context.original_exception)) from context.sqlalchemy_exception


def engine_for(
    url: str, settings: PlatformSettings, credentials: Credentials | None
) -> AsyncEngine:
    """The requests' engine, sized and timed by ``ORION_DB_*``."""
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        pool_timeout_s=settings.db_pool_timeout_s,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
        credentials=credentials,
    )


def log_in_as(engine: AsyncEngine, credentials: Credentials) -> None:
    """Each new connection logs in with the credentials of the moment; one refused for them
    asks for new ones and tries once more. A connection of replaced credentials is closed
    when next taken from the pool and another opened in its place, so the pool moves to the
    new user as requests come, without failing one: those in flight finish on the old."""
    generation_key = "orion_credentials"

    def connect(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        credentials.keep()
        user, password, generation = credentials.current()
        try:
            connection = dialect.connect(*cargs, **{**cparams, "user": user, "password": password})
        except REFUSED_LOGIN:
            await_only(credentials.refresh(generation))
            user, password, generation = credentials.current()
            connection = dialect.connect(*cargs, **{**cparams, "user": user, "password": password})
        record.info[generation_key] = generation
        return connection

    def retire_replaced(_: Any, record: Any, __: Any) -> None:
        if record.info.get(generation_key) != credentials.current()[2]:
            raise sqlalchemy.exc.DisconnectionError("its credentials were replaced")

    sa.event.listen(engine.sync_engine, "do_connect", connect)
    # first, so that no other checkout listener counts a connection about to be replaced
    sa.event.listen(engine.sync_engine, "checkout", retire_replaced, insert=True)


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same pool for single-statement reads: no BEGIN before, no ROLLBACK after, so a read
    costs one round trip instead of three."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
