"""What a visitor, a customer or an admin can ask the identity module to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.modules.identity.contracts.users import (  # there since the dashboard sends them
    ChangeRole as ChangeRole,
)
from orion.modules.identity.contracts.users import DisableUser as DisableUser
from orion.modules.identity.contracts.users import EnableUser as EnableUser
from orion.modules.identity.domain.user import Address
from orion.shared_kernel.application.messages import Command

from .queries import TokenPair, UserView


@dataclass(frozen=True, slots=True, kw_only=True)
class Register(Command[UserView | None]):
    """The new account, or ``None`` when the email has one already (its owner is told);
    the HTTP answer is the same either way."""

    email: str
    password: str
    full_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn(Command[TokenPair]):
    email: str
    password: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Refresh(Command[TokenPair]):
    refresh_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOut(Command[None]):
    refresh_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProfile(Command[UserView]):
    user_id: uuid.UUID
    full_name: str | None = None
    shipping_address: Address | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangePassword(Command[None]):
    """Ends every other session of the user; the one asking stays signed in."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    current_password: str
    new_password: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestPasswordReset(Command[None]):
    """Answers at once, whoever the email belongs to; the link follows if it is an
    account's (``policies.py``)."""

    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResetPassword(Command[None]):
    token: str
    new_password: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyEmail(Command[None]):
    token: str
