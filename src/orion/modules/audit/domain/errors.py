"""The audit module's errors; the hierarchy is listed in the module's docstring."""

from __future__ import annotations

from orion.shared_kernel.domain.errors import DomainError, InvalidInput


class AuditError(DomainError):
    code = "audit-error"


class UnknownInvariant(AuditError, InvalidInput):
    code = "unknown-invariant"
    title = "No such invariant"


class NotRepairable(AuditError, InvalidInput):
    code = "not-repairable"
    title = "This invariant has no mechanical repair"
