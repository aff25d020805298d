"""The analytics module's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import DomainError, InvalidInput


class AnalyticsError(DomainError):
    code = "analytics-error"


class InvalidPeriod(AnalyticsError, InvalidInput):
    code = "invalid-period"
    title = "Invalid period"
