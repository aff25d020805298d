"""A period of whole UTC days, both ends included, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .errors import InvalidPeriod

MAX_DAYS = 366


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod(f"the period ends ({self.end}) before it starts ({self.start})")
        if self.length > MAX_DAYS:
            raise InvalidPeriod(f"a period is at most {MAX_DAYS} days, not {self.length}")

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def since(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.length)]

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(
            start=self.start - timedelta(days=self.length), end=self.start - timedelta(days=1)
        )
