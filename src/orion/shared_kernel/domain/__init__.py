"""Pure building blocks: errors, money, ids, aggregates. No I/O, no framework."""

from __future__ import annotations
