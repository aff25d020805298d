"""Hot-path reads: SQLAlchemy Core builds the SQL once, asyncpg runs it.

Executing through SQLAlchemy costs ~400 µs of Python per statement here, against ~120 µs
for asyncpg on the same pooled connection. For the few statements on hot routes (a product
by id), ``CompiledQuery`` keeps Core as the one way to write SQL and skips the per-call
machinery: the statement is compiled for asyncpg at import, the connection comes from the
engine's pool, and the asyncpg record comes back as is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from orion.shared_kernel.adapters.telemetry import sql_span


class CompiledQuery:
    def __init__(self, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())

    async def fetchrow(self, engine: AsyncEngine, **params: Any) -> Any:
        """The first row as an ``asyncpg.Record`` (a mapping), or ``None``. Its span is made
        here, since SQLAlchemy's events (which the instrumentation listens to) are skipped."""
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            with sql_span(self.sql, engine.url.database):
                return await raw.driver_connection.fetchrow(  # type: ignore[union-attr]
                    self.sql, *(params[name] for name in self._names)
                )
