"""adapters/sql of the analytics module."""

from __future__ import annotations
