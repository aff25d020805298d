"""The identity module's one mapper from what a ``User`` recorded to its public events,
applied by the unit of work on commit.

Every ``UserChanged`` of one transaction becomes one ``UserChangedV1`` naming them all: a
consumer (the profile cache) needs to hear once that the account changed, not once a field.
"""

from __future__ import annotations

from collections.abc import Sequence

from orion.modules.identity.contracts.events import (
    PasswordResetRequestedV1,
    RegistrationAskedV1,
    RegistrationAttemptedV1,
    UserChangedV1,
    UserRegisteredV1,
)
from orion.modules.identity.domain.events import (
    AdminCreated,
    EmailVerificationRequested,
    PasswordResetRequested,
    RegistrationAttempted,
    UserChanged,
    UserRegistered,
)
from orion.modules.identity.domain.user import User
from orion.shared_kernel.application.messages import IntegrationEvent


def integration_events(aggregate: object, recorded: Sequence[object]) -> list[IntegrationEvent]:
    if not isinstance(aggregate, User):
        raise TypeError(f"identity publishes nothing for a {type(aggregate).__name__}")
    user = aggregate
    published: list[IntegrationEvent] = []
    changes: list[UserChanged] = []
    for event in recorded:
        match event:
            case UserRegistered(at=at):
                published.append(
                    RegistrationAskedV1(
                        aggregate_id=user.id,
                        aggregate_version=user.version,
                        occurred_at=at,
                        email=user.email,
                    )
                )
            case EmailVerificationRequested(at=at, token=token):
                published.append(
                    UserRegisteredV1(
                        aggregate_id=user.id,
                        aggregate_version=user.version,
                        occurred_at=at,
                        email=user.email,
                        full_name=user.full_name,
                        verification_token=token,
                    )
                )
            case PasswordResetRequested(at=at, token=token, expires_at=expires_at):
                published.append(
                    PasswordResetRequestedV1(
                        aggregate_id=user.id,
                        aggregate_version=user.version,
                        occurred_at=at,
                        email=user.email,
                        full_name=user.full_name,
                        reset_token=token,
                        expires_at=expires_at.isoformat(),
                    )
                )
            case RegistrationAttempted(at=at):
                published.append(
                    RegistrationAttemptedV1(
                        aggregate_id=user.id,
                        aggregate_version=user.version,
                        occurred_at=at,
                        email=user.email,
                        full_name=user.full_name,
                    )
                )
            case UserChanged():
                changes.append(event)
            case AdminCreated():
                pass  # an operator made it at the console: no email to send, nothing cached
            case _:
                raise TypeError(f"no integration event for {type(event).__name__}")
    if changes:
        published.append(
            UserChangedV1(
                aggregate_id=user.id,
                aggregate_version=user.version,
                occurred_at=max(change.at for change in changes),
                changes=sorted({change.change for change in changes}),
            )
        )
    return published
