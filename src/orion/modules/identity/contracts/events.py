"""Events the identity module publishes. ``aggregate_id`` is the user id.

They carry what the notifications module needs to write the email, tokens included: the
token is the email's link, and is stored only hashed on our side. ``UserChangedV1`` names
what changed, not the new values: a consumer that needs them asks (``GetCustomerContact``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from orion.shared_kernel.application.messages import IntegrationEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRegisteredV1(IntegrationEvent):
    wire_name: ClassVar[str] = "identity.user_registered.v1"

    email: str
    full_name: str
    verification_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordResetRequestedV1(IntegrationEvent):
    wire_name: ClassVar[str] = "identity.password_reset_requested.v1"

    email: str
    full_name: str
    reset_token: str
    expires_at: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChangedV1(IntegrationEvent):
    """An account changed: ``changes`` holds one or more of ``profile``, ``password``,
    ``email_verified``, ``disabled``, ``enabled``, ``role``."""

    wire_name: ClassVar[str] = "identity.user_changed.v1"

    changes: list[str]
