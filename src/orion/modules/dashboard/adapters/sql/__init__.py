"""adapters/sql of the dashboard module."""

from __future__ import annotations
