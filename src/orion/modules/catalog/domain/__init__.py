"""Products and their rules. Pure: no I/O, no framework."""

from __future__ import annotations
