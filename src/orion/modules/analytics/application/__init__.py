"""The analytics module's use cases: its policies record facts, its handlers answer."""

from __future__ import annotations
