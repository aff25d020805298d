"""adapters/messaging of the notifications module."""

from __future__ import annotations
