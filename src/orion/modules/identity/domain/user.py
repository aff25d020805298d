"""The User aggregate: an account, its credentials' hash, its role and its profile."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.domain.aggregate import AggregateRoot
from orion.shared_kernel.domain.roles import ADMIN, CUSTOMER, ROLES

from .errors import InvalidProfile, LastAdmin
from .events import (
    AdminCreated,
    EmailVerificationRequested,
    PasswordResetRequested,
    RegistrationAttempted,
    UserChanged,
    UserRegistered,
)

MIN_PASSWORD = 8
MAX_PASSWORD = 128  # NIST SP 800-63B: allow at least 64
MAX_NAME = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


class User(AggregateRoot):
    def __init__(
        self,
        *,
        id: uuid.UUID,
        email: str,
        password_hash: str,
        full_name: str,
        role: str,
        created_at: datetime,
        updated_at: datetime,
        email_verified_at: datetime | None = None,
        disabled_at: datetime | None = None,
        shipping_address: Address | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.email = email
        self.password_hash = password_hash
        self.full_name = full_name
        self.role = role
        self.created_at = created_at
        self.updated_at = updated_at
        self.email_verified_at = email_verified_at
        self.disabled_at = disabled_at
        self.shipping_address = shipping_address

    @classmethod
    def register(
        cls,
        *,
        id: uuid.UUID,
        email: str,
        password_hash: str,
        full_name: str,
        now: datetime,
    ) -> User:
        """A customer's account, its email not yet confirmed."""
        user = cls._new(
            id=id,
            email=email,
            password_hash=password_hash,
            full_name=full_name,
            role=CUSTOMER,
            now=now,
        )
        user._record(UserRegistered(at=now))
        return user

    @classmethod
    def create_admin(
        cls, *, id: uuid.UUID, email: str, password_hash: str, full_name: str, now: datetime
    ) -> User:
        """An admin made by an operator at the console: the address is theirs, so it counts
        as verified."""
        user = cls._new(
            id=id,
            email=email,
            password_hash=password_hash,
            full_name=full_name,
            role=ADMIN,
            now=now,
        )
        user.email_verified_at = now
        user._record(AdminCreated(at=now))
        return user

    @classmethod
    def _new(
        cls,
        *,
        id: uuid.UUID,
        email: str,
        password_hash: str,
        full_name: str,
        role: str,
        now: datetime,
    ) -> User:
        return cls(
            id=id,
            email=normalize_email(email),
            password_hash=password_hash,
            full_name=_full_name(full_name),
            role=role,
            created_at=now,
            updated_at=now,
        )

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def is_active_admin(self) -> bool:
        return self.role == ADMIN and not self.is_disabled

    def change_password_hash(self, password_hash: str, *, now: datetime) -> None:
        self.password_hash = password_hash
        self._touch(now, "password")

    def rehash_password(self, password_hash: str, *, now: datetime) -> None:
        """The same password, hashed with stronger parameters: a new version, nothing to tell."""
        self.password_hash = password_hash
        self.updated_at = now
        self._changed()

    def request_password_reset(self, *, token: str, expires_at: datetime, now: datetime) -> None:
        """The owner asked for a link to set a new password; ``token`` is the link's secret."""
        self._note(PasswordResetRequested(at=now, token=token, expires_at=expires_at))

    def request_email_verification(self, *, token: str, now: datetime) -> None:
        """The owner is to confirm the email with ``token``, the link's secret."""
        self._note(EmailVerificationRequested(at=now, token=token))

    def note_registration_attempt(self, *, now: datetime) -> None:
        """Someone tried to sign up with this account's email: its owner is to be told."""
        self._note(RegistrationAttempted(at=now))

    def update_profile(
        self, *, full_name: str | None, shipping_address: Address | None, now: datetime
    ) -> None:
        if full_name is not None:
            self.full_name = _full_name(full_name)
        if shipping_address is not None:
            self.shipping_address = shipping_address
        self._touch(now, "profile")

    def verify_email(self, *, now: datetime) -> None:
        if self.email_verified_at is None:
            self.email_verified_at = now
            self._touch(now, "email_verified")

    def disable(self, *, now: datetime) -> None:
        if self.disabled_at is None:
            self.disabled_at = now
            self._touch(now, "disabled")

    def enable(self, *, now: datetime) -> None:
        if self.disabled_at is not None:
            self.disabled_at = None
            self._touch(now, "enabled")

    def change_role(self, role: str, *, now: datetime) -> None:
        if _role(role) != self.role:
            self.role = role
            self._touch(now, "role")

    def promote_to_admin(self, *, now: datetime) -> None:
        self.change_role(ADMIN, now=now)

    def _touch(self, now: datetime, change: str) -> None:
        self.updated_at = now
        self._record(UserChanged(at=now, change=change))


def keep_an_admin(user: User, active_admins: Collection[uuid.UUID]) -> None:
    """After a change to ``user``: refuses it (``LastAdmin``) if it was the only active
    admin and no longer is. ``active_admins``: the ids before the change."""
    if not user.is_active_admin and set(active_admins) == {user.id}:
        raise LastAdmin("the only active admin cannot be demoted or disabled")


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: stored and looked up lower-cased and trimmed."""
    return email.strip().lower()


def _full_name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > MAX_NAME:
        raise InvalidProfile(f"full_name must be 1 to {MAX_NAME} characters")
    return value


def _role(value: str) -> str:
    if value not in ROLES:
        raise InvalidProfile(f"role must be one of {', '.join(ROLES)}")
    return value
