"""The dashboard's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import DomainError, NotAllowed, NotAuthenticated


class DashboardError(DomainError):
    code = "dashboard-error"


class SignedOut(DashboardError, NotAuthenticated):
    """No dashboard session, or one whose identity session has ended."""

    code = "signed-out"
    title = "Sign in to use the dashboard"


class AdminsOnly(DashboardError, NotAllowed):
    code = "admins-only"
    title = "The dashboard is for admins"


class CsrfRefused(DashboardError, NotAllowed):
    code = "csrf-refused"
    title = "The form was not sent from this dashboard"
