"""The root of every business error, and the generic kinds the HTTP adapter maps to statuses.

DomainError
├── NotFound            -> 404
├── Conflict            -> 409
│   └── ConcurrencyConflict -> 412 (a stale version)
├── InvalidInput        -> 422
├── DependencyUnavailable -> 503 (a database or broker that cannot be reached)
├── PreconditionRequired -> 428 (a write that must say which version it saw)
├── NotAuthenticated    -> 401
└── NotAllowed          -> 403

Modules derive their own roots (``CatalogError``) and children from these kinds, so the
HTTP layer maps by kind while each error keeps a stable, module-specific ``code``.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A business rule said no. ``code`` is stable: it becomes the problem+json ``type``."""

    code: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "The request broke a business rule"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict with the current state"


class ConcurrencyConflict(Conflict):
    code = "stale-version"
    title = "The resource changed since it was read"


class InvalidInput(DomainError):
    code = "invalid-input"
    title = "Invalid input"


class DependencyUnavailable(DomainError):
    code = "dependency-unavailable"
    title = "A service Orion depends on is unavailable"


class PreconditionRequired(DomainError):
    code = "precondition-required"
    title = "The request must say which version it saw"


class NotAuthenticated(DomainError):
    code = "not-authenticated"
    title = "Authentication required"


class NotAllowed(DomainError):
    code = "forbidden"
    title = "Not allowed"
