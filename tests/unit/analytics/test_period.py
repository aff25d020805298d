"""The period the figures are asked for: whole UTC days, both ends included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orion.modules.analytics.domain.errors import InvalidPeriod
from orion.modules.analytics.domain.period import Period


def test_a_period_covers_its_last_day_whole() -> None:
    period = Period(start=date(2026, 3, 1), end=date(2026, 3, 3))
    assert period.length == 3
    assert period.since == datetime(2026, 3, 1, tzinfo=UTC)
    assert period.until == datetime(2026, 3, 4, tzinfo=UTC)
    assert period.days() == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]


def test_the_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    period = Period(start=date(2026, 3, 1), end=date(2026, 3, 7))
    assert period.previous() == Period(start=date(2026, 2, 22), end=date(2026, 2, 28))


def test_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidPeriod):
        Period(start=date(2026, 3, 2), end=date(2026, 3, 1))


def test_cannot_be_longer_than_a_year_and_a_day() -> None:
    Period(start=date(2024, 1, 1), end=date(2024, 12, 31))  # 366 days, a leap year
    with pytest.raises(InvalidPeriod):
        Period(start=date(2025, 1, 1), end=date(2026, 1, 2))
