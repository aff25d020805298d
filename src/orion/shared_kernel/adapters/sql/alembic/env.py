"""Alembic's environment for one module: its schema, its version table, its revisions.

Run by ``orion.shared_kernel.adapters.sql.migrations.migrate``, which passes the open
connection and the module's schema in ``config.attributes``.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
schema = context.config.attributes["schema"]

context.configure(
    connection=connection,
    version_table_schema=schema,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
