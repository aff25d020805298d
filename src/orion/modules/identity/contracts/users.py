"""What the admin dashboard may ask and tell the identity module about accounts: the user
list and an account, disabling (its sessions end at once), enabling, changing its role (the
last admin stays)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orion.shared_kernel.application.messages import Command, Query


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


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPage:
    items: list[UserView]
    next_cursor: str | None


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


@dataclass(frozen=True, slots=True, kw_only=True)
class DisableUser(Command[UserView]):
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class EnableUser(Command[UserView]):
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRole(Command[UserView]):
    user_id: uuid.UUID
    role: str
