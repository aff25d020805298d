"""contracts of the audit module."""

from __future__ import annotations
