"""The async engine: SQLAlchemy Core on asyncpg, PostgreSQL only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(url: str, *, pool_size: int, echo: bool = False) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,  # a dead connection fails the transaction, which the caller retries
        echo=echo,
        connect_args={"server_settings": {"application_name": "orion"}},
    )
