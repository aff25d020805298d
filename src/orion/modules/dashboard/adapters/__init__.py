"""The dashboard's adapters: its pages and its session store."""

from __future__ import annotations
