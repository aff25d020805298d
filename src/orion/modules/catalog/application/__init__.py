"""Use cases, written against the ports in ``ports.py``."""

from __future__ import annotations
