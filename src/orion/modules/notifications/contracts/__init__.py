"""The notifications module's public surface: the only package other modules may import."""

from __future__ import annotations
