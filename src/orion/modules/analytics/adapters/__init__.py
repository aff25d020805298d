"""The analytics module's adapters: its SQL read model."""

from __future__ import annotations
