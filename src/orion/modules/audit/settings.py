"""The auditor's settings (``ORION_AUDIT_*``)."""

from __future__ import annotations

from pydantic import Field

from orion.shared_kernel.adapters.settings import PlatformSettings


class AuditSettings(PlatformSettings):
    audit_grace_s: float = Field(
        default=900,
        ge=0,
        description="Only what last changed longer ago than this is judged: longer than the "
        "saga's normal lag (relay, consumers, the provider's retries).",
    )
    audit_interval_s: float = Field(
        default=300, ge=1, description="How often the workers audit what changed since."
    )
    audit_pending_bound_s: float = Field(
        default=600, gt=0, description="An outbox row pending longer than this is a violation."
    )
    audit_parked_bound_s: float = Field(
        default=3600,
        gt=0,
        description="A row parked or a message dead-lettered longer than this is a violation.",
    )
    audit_examples: int = Field(
        default=5, ge=1, le=100, description="Violations shown per invariant."
    )
