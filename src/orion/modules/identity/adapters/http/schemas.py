"""The identity API's request and response shapes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from orion.modules.identity.application.queries import UserView
from orion.modules.identity.domain.user import MAX_PASSWORD, MIN_PASSWORD
from orion.shared_kernel.adapters.http.schemas import AddressIn, Body

Password = Field(min_length=1, max_length=1024)
# a password being set: the policy's length in the OpenAPI document; the policy itself
# checks it (and its strength), answering /problems/weak-password
NewPassword = Field(
    min_length=1,
    max_length=1024,
    json_schema_extra={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD},
)


class RegisterIn(Body):
    email: EmailStr
    password: str = NewPassword
    full_name: str = Field(min_length=1, max_length=200)


class LoginIn(Body):
    email: str = Field(min_length=1, max_length=320)
    password: str = Password


class RefreshTokenIn(Body):
    refresh_token: str = Field(min_length=1, max_length=200)


class ProfilePatch(Body):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    default_shipping_address: AddressIn | None = None


class PasswordChangeIn(Body):
    current_password: str = Password
    new_password: str = NewPassword


class EmailIn(Body):
    email: str = Field(min_length=1, max_length=320)


class PasswordResetIn(Body):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = NewPassword


class TokenIn(Body):
    token: str = Field(min_length=1, max_length=200)


class RoleIn(Body):
    role: Literal["customer", "admin"]


class UserListQuery(BaseModel):
    q: str | None = Field(default=None, max_length=200, description="In email and full name.")
    role: Literal["customer", "admin"] | None = None
    disabled: bool | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"]
    expires_in: int


class UserOut(BaseModel):
    id: str
    email: str
    full_name: str
    role: str
    email_verified: bool
    disabled: bool
    default_shipping_address: dict[str, str] | None
    created_at: str


class RegisteredOut(BaseModel):
    """The new account; a verification email follows."""

    id: str
    email: str
    full_name: str


class UserPageOut(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


def user_json(view: UserView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "email": view.email,
        "full_name": view.full_name,
        "role": view.role,
        "email_verified": view.email_verified,
        "disabled": view.disabled,
        "default_shipping_address": view.shipping_address,
        "created_at": view.created_at.isoformat(),
    }
