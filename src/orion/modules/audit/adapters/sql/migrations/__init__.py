"""adapters/sql/migrations of the audit module."""

from __future__ import annotations
