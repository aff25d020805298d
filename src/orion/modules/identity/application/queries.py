"""What the identity module answers, and the views it answers with."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from orion.modules.identity.domain.user import User
from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class UserView:
    id: uuid.UUID
    email: str
    full_name: str
    role: str
    email_verified: bool
    disabled: bool
    shipping_address: dict[str, Any] | None
    created_at: datetime


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
class UserPage:
    items: list[UserView]
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GetUser(Query[UserView]):
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsers(Query[UserPage]):
    q: str | None = None
    role: str | None = None
    disabled: bool | None = None
    limit: int = 20
    cursor: str | None = None
