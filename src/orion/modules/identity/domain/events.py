"""What happens to an account, in the identity module's own words.

The tokens some events carry are the secrets their emails link to: only their hashes are
stored (``one_time_tokens``), so the event is the one place they travel; ``repr`` hides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRegistered:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailVerificationRequested:
    """The account's email is to be confirmed with ``token``: its welcome email's link."""

    at: datetime
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminCreated:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanged:
    at: datetime
    change: str  # password, profile, email_verified, disabled, enabled, role


@dataclass(frozen=True, slots=True, kw_only=True)
class PasswordResetRequested:
    at: datetime
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationAttempted:
    """Someone tried to sign up with the account's email; its owner is told."""

    at: datetime
