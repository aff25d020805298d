"""Ordering: lands with its own issue; the package exists so the boundaries cover it."""

from __future__ import annotations
