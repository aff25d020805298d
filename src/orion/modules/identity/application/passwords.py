"""The password policy, after NIST SP 800-63B: long enough, not too long to be a passphrase,
no composition rules, and not one of the passwords attackers try first."""

from __future__ import annotations

from collections.abc import Container

from orion.modules.identity.domain.errors import WeakPassword
from orion.modules.identity.domain.user import MAX_PASSWORD, MIN_PASSWORD


def check_password(password: str, *, email: str, common: Container[str]) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"use at most {MAX_PASSWORD} characters")
    lowered = password.lower()
    if lowered in common:
        raise WeakPassword("this password is among the most common ones; choose another")
    if lowered == email.lower() or lowered == email.lower().partition("@")[0]:
        raise WeakPassword("the password cannot be the email address")
