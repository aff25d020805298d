"""Alembic revisions of schema ``catalog``."""

from __future__ import annotations
