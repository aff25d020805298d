"""The User aggregate's rules, and the events it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from orion.modules.identity.domain.errors import InvalidProfile
from orion.modules.identity.domain.events import (
    AdminCreated,
    EmailVerificationRequested,
    PasswordResetRequested,
    RegistrationAttempted,
    UserChanged,
    UserRegistered,
)
from orion.modules.identity.domain.user import MAX_NAME, Address, User, normalize_email

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
T2 = T0 + timedelta(minutes=2)


def registered(**overrides: str) -> User:
    fields = {"email": " Ada@Example.COM ", "full_name": "  Ada Lovelace ", **overrides}
    user = User.register(
        id=uuid.uuid4(),
        email=fields["email"],
        password_hash="$argon2id$stub",
        full_name=fields["full_name"],
        now=T0,
    )
    user.pull_events()
    user.mark_persisted()
    return user


def test_registration_normalizes_and_makes_a_customer() -> None:
    user = User.register(
        id=uuid.uuid4(),
        email=" Ada@Example.COM ",
        password_hash="$argon2id$stub",
        full_name="  Ada Lovelace ",
        now=T0,
    )
    assert user.email == "ada@example.com"
    assert user.full_name == "Ada Lovelace"
    assert user.role == "customer"
    assert not user.is_disabled
    assert user.email_verified_at is None
    assert user.created_at == user.updated_at == T0
    assert user.version == 1
    assert user.pull_events() == [UserRegistered(at=T0)]


def test_an_admin_made_at_the_console_is_verified() -> None:
    admin = User.create_admin(
        id=uuid.uuid4(), email="Ops@Example.com", password_hash="h", full_name="Ops", now=T0
    )
    assert (admin.email, admin.role, admin.email_verified_at) == ("ops@example.com", "admin", T0)
    assert admin.pull_events() == [AdminCreated(at=T0)]


def test_normalize_email_trims_and_lowers() -> None:
    assert normalize_email("  MiXeD@Case.Org\t") == "mixed@case.org"


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_NAME + 1)])
def test_a_full_name_must_be_1_to_200_characters(name: str) -> None:
    with pytest.raises(InvalidProfile):
        registered(full_name=name)
    user = registered()
    with pytest.raises(InvalidProfile):
        user.update_profile(full_name=name, shipping_address=None, now=T1)
    assert user.full_name == "Ada Lovelace"
    assert user.pull_events() == []


def test_a_200_character_name_is_fine() -> None:
    assert registered(full_name="x" * MAX_NAME).full_name == "x" * MAX_NAME


@pytest.mark.parametrize("role", ["root", "Admin", ""])
def test_only_known_roles(role: str) -> None:
    user = registered()
    with pytest.raises(InvalidProfile):
        user.change_role(role, now=T1)
    assert user.role == "customer"


def test_role_changes_and_promotion() -> None:
    user = registered()
    user.change_role("customer", now=T1)  # no change, nothing recorded
    assert user.pull_events() == []
    user.promote_to_admin(now=T1)
    assert user.role == "admin"
    assert user.updated_at == T1
    assert user.pull_events() == [UserChanged(at=T1, change="role")]


def test_disable_and_enable_are_idempotent() -> None:
    user = registered()
    user.disable(now=T1)
    user.disable(now=T2)
    assert user.disabled_at == T1
    assert user.is_disabled
    assert user.pull_events() == [UserChanged(at=T1, change="disabled")]
    user.enable(now=T2)
    user.enable(now=T2)
    assert not user.is_disabled
    assert user.pull_events() == [UserChanged(at=T2, change="enabled")]


def test_email_is_verified_once() -> None:
    user = registered()
    user.verify_email(now=T1)
    user.verify_email(now=T2)
    assert user.email_verified_at == T1
    assert user.pull_events() == [UserChanged(at=T1, change="email_verified")]


def test_profile_update_keeps_what_is_not_given() -> None:
    user = registered()
    home = Address(
        name="Ada",
        line1="12 St James's Square",
        line2="",
        city="London",
        postal_code="SW1Y 4JH",
        country="GB",
    )
    user.update_profile(full_name=None, shipping_address=home, now=T1)
    assert user.full_name == "Ada Lovelace"
    assert user.shipping_address == home
    user.update_profile(full_name="Augusta Ada King", shipping_address=None, now=T2)
    assert user.full_name == "Augusta Ada King"
    assert user.shipping_address == home
    assert user.updated_at == T2


def test_changes_bump_the_version_once_per_save() -> None:
    user = registered()
    assert user.version == 1
    user.change_password_hash("$argon2id$other", now=T1)
    user.disable(now=T1)
    assert user.version == 2
    assert user.password_hash == "$argon2id$other"


def test_a_rehash_is_a_new_version_that_tells_nothing() -> None:
    user = registered()
    user.rehash_password("$argon2id$stronger", now=T1)
    assert (user.password_hash, user.updated_at, user.version) == ("$argon2id$stronger", T1, 2)
    assert user.pull_events() == []


def test_requests_and_attempts_are_recorded_without_a_new_version() -> None:
    """Asking changes nothing of the account: it is not written back for them."""
    user = registered()
    user.request_email_verification(token="verify-me", now=T1)
    user.request_password_reset(token="reset-me", expires_at=T2, now=T1)
    user.note_registration_attempt(now=T2)
    assert user.version == 1
    assert user.pull_events() == [
        EmailVerificationRequested(at=T1, token="verify-me"),
        PasswordResetRequested(at=T1, token="reset-me", expires_at=T2),
        RegistrationAttempted(at=T2),
    ]
    assert "verify-me" not in repr(EmailVerificationRequested(at=T1, token="verify-me"))
