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
    """A new account's welcome: its email is to be confirmed with ``verification_token``.
    Published once the sign-up completes, after its answer (``RegistrationAskedV1``)."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationAttemptedV1(IntegrationEvent):
    """Someone tried to sign up with the email of an existing account: its owner is told (the
    sign-up answered as for a new email, so that nobody learns the account exists). The name
    is the owner's, not the one typed at the sign-up."""

    wire_name: ClassVar[str] = "identity.registration_attempted.v1"

    email: str
    full_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordResetAskedV1(IntegrationEvent):
    """Someone asked for a reset link for this email. Identity itself consumes it: whether an
    account has the email is looked up after the answer, so that a known and an unknown email
    answer alike and as fast. ``aggregate_id`` is the request's own id (no account is named
    yet); an account that exists then gets ``PasswordResetRequestedV1``."""

    wire_name: ClassVar[str] = "identity.password_reset_asked.v1"

    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationAskedV1(IntegrationEvent):
    """Someone signed up with this email. Identity itself consumes it: the sign-up answered
    at once, alike whether the email was free (the account ``aggregate_id`` was made) or an
    account's already (``aggregate_id`` names the account that was not made); the welcome
    (``UserRegisteredV1``) or the owner's warning (``RegistrationAttemptedV1``) follows."""

    wire_name: ClassVar[str] = "identity.registration_asked.v1"

    email: str
