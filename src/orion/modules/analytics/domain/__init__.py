"""The analytics module's domain: the period asked about."""

from __future__ import annotations
