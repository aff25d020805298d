"""The notifications module's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import DomainError, InvalidInput


class NotificationsError(DomainError):
    code = "notifications-error"


class UnknownTemplate(NotificationsError, InvalidInput):
    code = "unknown-template"
    title = "No such email template"
