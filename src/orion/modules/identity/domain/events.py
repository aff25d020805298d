"""What happens to an account, in the identity module's own words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRegistered:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserChanged:
    at: datetime
    change: str  # password, profile, email_verified, disabled, enabled, role
