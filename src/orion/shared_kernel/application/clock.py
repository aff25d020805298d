"""Time comes from an injected clock: timezone-aware UTC, and frozen in tests."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...
