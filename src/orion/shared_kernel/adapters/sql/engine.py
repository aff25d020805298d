"""The async engine: SQLAlchemy Core on asyncpg, PostgreSQL only."""

from __future__ import annotations

import sqlalchemy.ext.asyncio
from sqlalchemy.ext.asyncio import AsyncEngine


def create_engine(url: str, *, pool_size: int, echo: bool = False) -> AsyncEngine:
    # looked up at each call, not imported: tracing wraps the factory when it is configured,
    # after this module was imported, and the wrapper gives the engine its SQL spans
    return sqlalchemy.ext.asyncio.create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,  # overflow connections are opened and closed per burst: bound, reuse
        pool_timeout=10,
        pool_pre_ping=False,  # a dead connection fails the transaction, which the caller retries
        echo=echo,
        hide_parameters=True,  # an error names its statement, never the values (hashes, emails)
        connect_args={"server_settings": {"application_name": "orion"}},
    )


def autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same pool for single-statement reads: no BEGIN before, no ROLLBACK after, so a read
    costs one round trip instead of three."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
