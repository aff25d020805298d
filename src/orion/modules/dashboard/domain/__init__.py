"""The dashboard's domain: its errors."""

from __future__ import annotations
