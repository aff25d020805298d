"""Sign-up, the profile, and email verification, through the mediator with fakes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from orion.modules.identity.application.commands import (
    Register,
    RequestPasswordReset,
    UpdateProfile,
    VerifyEmail,
)
from orion.modules.identity.application.tokens import token_hash
from orion.modules.identity.contracts.events import (
    PasswordResetRequestedV1,
    RegistrationAskedV1,
    RegistrationAttemptedV1,
    UserChangedV1,
    UserRegisteredV1,
)
from orion.modules.identity.domain.errors import (
    InvalidProfile,
    InvalidToken,
    UserNotFound,
    WeakPassword,
)
from orion.modules.identity.domain.user import Address

from .conftest import PASSWORD, Identity

HOME = Address(
    name="Ada",
    line1="12 St James's Square",
    line2="",
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
)


async def verification_token(identity: Identity, email: str = "ada@example.com") -> str:
    await identity.send(Register(email=email, password=PASSWORD, full_name="Ada Lovelace"))
    await identity.deliver()
    registered = identity.uow.outbox[-1]
    assert isinstance(registered, UserRegisteredV1)
    identity.forget()
    return registered.verification_token


# --- register -----------------------------------------------------------------------------


async def test_register_commits_a_customer_and_only_says_a_sign_up_was_asked(
    identity: Identity,
) -> None:
    view = await identity.send(
        Register(email=" Ada@Example.COM ", password=PASSWORD, full_name="Ada Lovelace")
    )

    assert view is not None
    assert identity.uow.commits == 1
    user = identity.uow.user(view.id)
    assert (user.email, user.role, user.email_verified_at) == ("ada@example.com", "customer", None)
    assert user.password_hash == identity.hasher.hash_now(PASSWORD)
    assert identity.uow.outbox == [
        RegistrationAskedV1(
            aggregate_id=user.id,
            aggregate_version=1,
            occurred_at=identity.clock.now(),
            email="ada@example.com",
        )
    ]
    assert identity.uow.one_time_tokens() == {}  # the welcome comes after the answer


async def test_after_the_answer_a_new_account_gets_its_verification_token_and_welcome(
    identity: Identity,
) -> None:
    view = await identity.send(
        Register(email="ada@example.com", password=PASSWORD, full_name="Ada Lovelace")
    )
    assert view is not None
    identity.clock.advance(seconds=3)

    await identity.deliver()

    now = identity.clock.now()
    event = identity.uow.outbox[-1]
    assert isinstance(event, UserRegisteredV1)
    assert event == UserRegisteredV1(
        aggregate_id=view.id,
        aggregate_version=1,
        occurred_at=now,
        email="ada@example.com",
        full_name="Ada Lovelace",
        verification_token=event.verification_token,
    )
    # only the token's hash is kept, good for two days
    [(stored_hash, row)] = identity.uow.one_time_tokens().items()
    assert stored_hash == token_hash(event.verification_token)
    assert (row.user_id, row.purpose, row.expires_at) == (
        view.id,
        "email_verification",
        now + timedelta(days=2),
    )


@pytest.mark.parametrize(
    "password", ["short", "password123", "AdaLovelace", "adalovelace@example.com", "x" * 129]
)
async def test_register_refuses_a_weak_password_before_hashing_it(
    identity: Identity, password: str
) -> None:
    with pytest.raises(WeakPassword):
        await identity.send(
            Register(email="adalovelace@example.com", password=password, full_name="Ada")
        )
    assert identity.hasher.hashes == 0
    assert identity.uow.commits == 0
    assert identity.uow.outbox == []


async def test_a_taken_email_in_any_case_costs_what_a_new_one_does_and_its_owner_is_told(
    identity: Identity,
) -> None:
    first = await identity.customer("ada@example.com")
    identity.clock.advance(minutes=1)

    answer = await identity.send(
        Register(email="  ADA@example.com", password=PASSWORD, full_name="Someone else")
    )

    assert answer is None
    assert identity.hasher.hashes == 1  # hashed all the same
    assert identity.uow.commits == 1
    assert list(identity.uow.committed["users"]) == [first.id]
    [asked] = identity.uow.outbox  # the same event a new account's sign-up writes
    assert isinstance(asked, RegistrationAskedV1)
    assert (asked.email, asked.aggregate_version) == ("ada@example.com", 1)
    assert asked.aggregate_id != first.id  # the account that was not made

    await identity.deliver()

    assert identity.uow.outbox[1:] == [
        RegistrationAttemptedV1(
            aggregate_id=first.id,
            aggregate_version=1,  # the account itself is unchanged
            occurred_at=identity.clock.now(),
            email="ada@example.com",
            full_name="Ada Lovelace",
        )
    ]
    assert identity.uow.user(first.id).version == 1
    purposes = [row.purpose for row in identity.uow.one_time_tokens().values()]
    assert purposes == ["email_verification"]  # the owner's own, no other


# --- update profile -------------------------------------------------------------------------


async def test_update_profile_changes_what_is_given_and_stages_user_changed(
    identity: Identity,
) -> None:
    user = await identity.customer()
    identity.clock.advance(minutes=5)

    view = await identity.send(
        UpdateProfile(user_id=user.id, full_name="Augusta Ada King", shipping_address=HOME)
    )

    assert identity.uow.commits == 1
    stored = identity.uow.user(user.id)
    assert (stored.full_name, stored.shipping_address) == ("Augusta Ada King", HOME)
    assert view.full_name == "Augusta Ada King"
    assert view.shipping_address is not None
    assert view.shipping_address["city"] == "London"
    assert identity.uow.outbox == [
        UserChangedV1(
            aggregate_id=user.id,
            aggregate_version=2,
            occurred_at=identity.clock.now(),
            changes=["profile"],
        )
    ]


async def test_update_profile_refuses_an_empty_name_and_keeps_the_old_one(
    identity: Identity,
) -> None:
    user = await identity.customer()
    with pytest.raises(InvalidProfile):
        await identity.send(UpdateProfile(user_id=user.id, full_name="   "))
    assert identity.uow.commits == 0
    assert identity.uow.rollbacks == 1
    assert identity.uow.user(user.id).full_name == "Ada Lovelace"
    assert identity.uow.outbox == []


async def test_update_profile_of_an_unknown_user_is_user_not_found(identity: Identity) -> None:
    with pytest.raises(UserNotFound):
        await identity.send(UpdateProfile(user_id=uuid.uuid4(), full_name="Nobody"))


# --- verify email ---------------------------------------------------------------------------


async def test_verify_email_marks_the_address_verified_with_a_token_good_once(
    identity: Identity,
) -> None:
    token = await verification_token(identity)
    identity.clock.advance(days=1)

    await identity.send(VerifyEmail(token=token))

    user = identity.uow.user_by_email("ada@example.com")
    assert user is not None
    assert user.email_verified_at == identity.clock.now()
    assert identity.uow.outbox == [
        UserChangedV1(
            aggregate_id=user.id,
            aggregate_version=2,
            occurred_at=identity.clock.now(),
            changes=["email_verified"],
        )
    ]
    with pytest.raises(InvalidToken):
        await identity.send(VerifyEmail(token=token))


async def test_verify_email_refuses_an_expired_token_and_a_reset_token(
    identity: Identity,
) -> None:
    token = await verification_token(identity)
    await identity.send(RequestPasswordReset(email="ada@example.com"))
    await identity.deliver()
    [reset] = [e for e in identity.uow.outbox if isinstance(e, PasswordResetRequestedV1)]

    with pytest.raises(InvalidToken):
        await identity.send(VerifyEmail(token=reset.reset_token))
    identity.clock.advance(days=2)
    with pytest.raises(InvalidToken):
        await identity.send(VerifyEmail(token=token))
    user = identity.uow.user_by_email("ada@example.com")
    assert user is not None
    assert user.email_verified_at is None
