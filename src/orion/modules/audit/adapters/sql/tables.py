"""The audit module's tables, all in PostgreSQL schema ``audit``: what it found and did,
never a copy of another module's data (a finding names its subject by id only)."""

from __future__ import annotations

import sqlalchemy as sa

from orion.shared_kernel.adapters.sql.inbox import inbox_table
from orion.shared_kernel.adapters.sql.outbox import outbox_table

SCHEMA = "audit"
metadata = sa.MetaData(schema=SCHEMA)

# A violation seen and not yet seen gone: one row per (invariant, subject).
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("invariant", sa.Text, primary_key=True),
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
)

# The periodic run: where it stopped, when it last ran, and the lease of the replica running it.
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("checkpoint", sa.DateTime(timezone=True)),
    sa.Column("last_run_at", sa.DateTime(timezone=True)),
    sa.Column("claimed_until", sa.DateTime(timezone=True)),
)

# Each repair made, as an admin write is recorded.
repairs = sa.Table(
    "repairs",
    metadata,
    sa.Column("invariant", sa.Text, primary_key=True),
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("problem", sa.Text, nullable=False),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)
