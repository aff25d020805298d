"""adapters/sql/migrations of the dashboard module."""

from __future__ import annotations
