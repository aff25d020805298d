"""Message types and the ports every use case is written against."""

from __future__ import annotations
