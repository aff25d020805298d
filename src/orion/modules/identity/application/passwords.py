"""The password policy, after NIST SP 800-63B: long enough, not too long to be a passphrase,
no composition rules, and not one of the passwords attackers try first."""

from __future__ import annotations

from collections.abc import Container

from orion.modules.identity.domain.errors import WeakPassword
from orion.modules.identity.domain.user import MAX_PASSWORD, MIN_PASSWORD

from .ports import PasswordHasher


def check_password(password: str, *, email: str | None, common: Container[str]) -> None:
    """``email`` None: the account is not known yet (a reset, whose token names it); the
    check is made again once it is, for the rule that the password is not the email."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"use at most {MAX_PASSWORD} characters")
    lowered = password.lower()
    if lowered in common:
        raise WeakPassword("this password is among the most common ones; choose another")
    if email is not None and lowered in (email.lower(), email.lower().partition("@")[0]):
        raise WeakPassword("the password cannot be the email address")


class NewPasswords:
    """A new password is held to the policy before it is hashed, so a weak one costs no
    argon2 time; the handlers that set one (sign-up, change, reset, the console's admin)
    share this."""

    def __init__(self, hasher: PasswordHasher, common: Container[str]) -> None:
        self._hasher = hasher
        self._common = common

    def check(self, password: str, *, email: str | None) -> None:
        check_password(password, email=email, common=self._common)

    async def hash(self, password: str, *, email: str | None) -> str:
        self.check(password, email=email)
        return await self._hasher.hash(password)
