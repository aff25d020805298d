"""Orion: an e-commerce backend that cannot lose an order or charge twice."""

from __future__ import annotations
