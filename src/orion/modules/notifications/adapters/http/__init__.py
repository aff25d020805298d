"""adapters/http of the notifications module."""

from __future__ import annotations
