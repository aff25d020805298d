"""PostgreSQL through SQLAlchemy Core on asyncpg: engine, unit of work, outbox, migrations."""

from __future__ import annotations
