"""The async engine: SQLAlchemy Core on asyncpg, PostgreSQL only."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import asyncpg
import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.ext.asyncio
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

# Failures that mean "a dependency cannot be reached", answered 503 rather than 500.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
)


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
    url: str, *, pool_size: int, echo: bool = False, credentials: Credentials | None = None
) -> AsyncEngine:
    # looked up at each call, not imported: tracing wraps the factory when it is configured,
    # after this module was imported, and the wrapper gives the engine its SQL spans
    engine = sqlalchemy.ext.asyncio.create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,  # overflow connections are opened and closed per burst: bound, reuse
        pool_timeout=10,
        pool_pre_ping=False,  # a dead connection fails the transaction, which the caller retries
        echo=echo,
        connect_args={"server_settings": {"application_name": "orion"}},
    )
    if credentials is not None:
        log_in_as(engine, credentials)
    return engine


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
