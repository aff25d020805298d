"""What the identity module answers, and the views it answers with."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from orion.modules.identity.contracts.users import (  # there since the dashboard asks them
    GetUser as GetUser,
)
from orion.modules.identity.contracts.users import ListUsers as ListUsers
from orion.modules.identity.contracts.users import UserPage as UserPage
from orion.modules.identity.contracts.users import UserView as UserView
from orion.modules.identity.domain.user import User


def user_view(user: User) -> UserView:
    """What a command that changed an account answers with."""
    return UserView(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        email_verified=user.email_verified_at is not None,
        disabled=user.is_disabled,
        shipping_address=asdict(user.shipping_address) if user.shipping_address else None,
        created_at=user.created_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


__all__ = [
    "GetUser",
    "ListUsers",
    "UserPage",
    "UserView",
]  # in the contracts since the dashboard asks them
