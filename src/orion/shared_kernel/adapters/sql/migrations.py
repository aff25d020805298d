"""Applies every module's migrations: one Alembic history and version table per module schema.

Each module owns its schema and its revisions (``modules/<name>/adapters/sql/migrations``),
so modules migrate independently and a module split out later takes its history with it.
An advisory lock lets several replicas start at once: one migrates, the others wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.sql.engine import Credentials, create_engine

ENV_DIR = Path(__file__).with_name("alembic")
MIGRATION_LOCK = 0x6F72696F6E  # "orion"

log = structlog.get_logger("orion.migrations")


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleMigrations:
    schema: str
    versions: Path


async def migrate(
    url: str, credentials: Credentials | None, modules: list[ModuleMigrations]
) -> None:
    """On an engine of its own, without the requests' time limits: a migration may run long,
    and waits for another one's lock (one process at a time)."""
    engine = create_engine(
        url, pool_size=1, statement_timeout_ms=None, lock_timeout_ms=None, credentials=credentials
    )
    try:
        await _migrate(engine, modules)
    finally:
        await engine.dispose()


async def _migrate(engine: AsyncEngine, modules: list[ModuleMigrations]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        await connection.commit()
        try:
            for module in modules:
                await connection.run_sync(_upgrade, module)
                await connection.commit()
                log.info("migrations_applied", schema=module.schema)
        finally:
            await connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
            )
            await connection.commit()


def _upgrade(connection: Connection, module: ModuleMigrations) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{module.schema}"'))
    config = Config()
    config.set_main_option("script_location", str(ENV_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(module.versions))
    config.attributes["connection"] = connection
    config.attributes["schema"] = module.schema
    command.upgrade(config, "head")
