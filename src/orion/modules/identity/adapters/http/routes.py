"""The identity API: sign-up and sign-in under ``/api/v1/auth``, the caller's own account
under ``/api/v1/me``, and user management under ``/api/v1/admin/users``.

Throttling (``limits``, moving window): failed logins as ``throttle.py`` says, registrations
and reset requests per client address; 429 with ``Retry-After``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from quart import Blueprint, Response, jsonify
from quart_schema import document_response, validate_querystring, validate_request

from orion.modules.identity.application.commands import (
    ChangePassword,
    ChangeRole,
    DisableUser,
    EnableUser,
    LogIn,
    LogOut,
    Refresh,
    Register,
    RequestPasswordReset,
    ResetPassword,
    UpdateProfile,
    VerifyEmail,
)
from orion.modules.identity.application.queries import GetUser, ListUsers, TokenPair
from orion.modules.identity.domain.errors import InvalidCredentials
from orion.modules.identity.domain.user import Address, normalize_email
from orion.shared_kernel.adapters.http.auth import authenticate, require_admin, require_user
from orion.shared_kernel.adapters.http.openapi import answers
from orion.shared_kernel.adapters.http.ratelimit import client_address
from orion.shared_kernel.adapters.ratelimit import RateLimiter
from orion.shared_kernel.application.mediator import Mediator

from .schemas import (
    EmailIn,
    LoginIn,
    PasswordChangeIn,
    PasswordResetIn,
    ProfilePatch,
    RefreshTokenIn,
    RegisterIn,
    RoleIn,
    TokenIn,
    TokenPairOut,
    UserListQuery,
    UserOut,
    UserPageOut,
    user_json,
)
from .throttle import LoginThrottle


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    register_per_address: str
    reset_per_address: str


def identity_blueprint(
    mediator: Mediator, limiter: RateLimiter, limits: Limits, login_throttle: LoginThrottle
) -> Blueprint:
    blueprint = Blueprint("identity", __name__, url_prefix="/api/v1")

    def address() -> str:
        return client_address()  # X-Forwarded-For only from ORION_TRUSTED_PROXIES

    @blueprint.post("/auth/register")
    @answers(202)
    @validate_request(RegisterIn)
    async def register(data: RegisterIn) -> Response:
        """Sign up as a customer: always 202, whether the email has an account or not; an
        email follows, a verification link or, for a taken email, a note to its owner that
        someone tried. Other fields are refused."""
        await limiter.check(limits.register_per_address, "register", address())
        await limiter.hit(limits.register_per_address, "register", address())
        await mediator.send(
            Register(email=data.email, password=data.password, full_name=data.full_name)
        )
        return Response(status=202)

    @blueprint.post("/auth/login")
    @answers(401)
    @validate_request(LoginIn)
    @document_response(TokenPairOut)
    async def login(data: LoginIn) -> Response:
        """Exchange email and password for an access token (15 minutes) and a refresh token."""
        account, where = normalize_email(data.email), address()
        await login_throttle.before(account, where)
        try:
            pair = await mediator.send(LogIn(email=data.email, password=data.password))
        except InvalidCredentials:
            await login_throttle.failed(account, where)
            raise
        return _pair(pair)

    @blueprint.post("/auth/refresh")
    @answers(401)
    @validate_request(RefreshTokenIn)
    @document_response(TokenPairOut)
    async def refresh(data: RefreshTokenIn) -> Response:
        """A new pair; the refresh token sent is spent. Reusing a spent one ends the session."""
        return _pair(await mediator.send(Refresh(refresh_token=data.refresh_token)))

    @blueprint.post("/auth/logout")
    @answers(204, 401)
    @validate_request(RefreshTokenIn)
    async def logout(data: RefreshTokenIn) -> Response:
        """End the session: its refresh and access tokens stop working at once."""
        await mediator.send(LogOut(refresh_token=data.refresh_token))
        return Response(status=204)

    @blueprint.post("/auth/password-reset")
    @answers(202)
    @validate_request(EmailIn)
    async def request_reset(data: EmailIn) -> Response:
        """Always 202, as fast whether the account exists or not; an account's email gets a
        one-time link."""
        await limiter.check(limits.reset_per_address, "reset", address())
        await limiter.hit(limits.reset_per_address, "reset", address())
        await mediator.send(RequestPasswordReset(email=data.email))
        return Response(status=202)

    @blueprint.post("/auth/password-reset/confirm")
    @answers(204)
    @validate_request(PasswordResetIn)
    async def confirm_reset(data: PasswordResetIn) -> Response:
        """Set a new password with the emailed token (single use, 1 hour); ends every session."""
        await mediator.send(ResetPassword(token=data.token, new_password=data.new_password))
        return Response(status=204)

    @blueprint.post("/auth/verify-email")
    @answers(204)
    @validate_request(TokenIn)
    async def verify_email(data: TokenIn) -> Response:
        """Confirm the email address with the emailed token (single use, 2 days)."""
        await mediator.send(VerifyEmail(token=data.token))
        return Response(status=204)

    @blueprint.get("/me")
    @require_user
    @document_response(UserOut)
    async def me() -> Response:
        """The caller's account."""
        principal = await authenticate()
        return jsonify(user_json(await mediator.ask(GetUser(user_id=principal.user_id))))

    @blueprint.patch("/me")
    @require_user
    @validate_request(ProfilePatch)
    @document_response(UserOut)
    async def update_me(data: ProfilePatch) -> Response:
        """Change the full name or the default shipping address."""
        principal = await authenticate()
        shipping = data.default_shipping_address
        user = await mediator.send(
            UpdateProfile(
                user_id=principal.user_id,
                full_name=data.full_name,
                shipping_address=None if shipping is None else Address(**shipping.model_dump()),
            )
        )
        return jsonify(user_json(user))

    @blueprint.post("/me/password")
    @answers(204, 403)
    @require_user
    @validate_request(PasswordChangeIn)
    async def change_password(data: PasswordChangeIn) -> Response:
        """Change the password; every other session of the account ends."""
        principal = await authenticate()
        await mediator.send(
            ChangePassword(
                user_id=principal.user_id,
                session_id=principal.session_id,
                current_password=data.current_password,
                new_password=data.new_password,
            )
        )
        return Response(status=204)

    @blueprint.get("/admin/users")
    @require_admin
    @validate_querystring(UserListQuery)
    @document_response(UserPageOut)
    async def list_users(query_args: UserListQuery) -> Response:
        """Users, newest first: search `q` in email and name, filter by role and state."""
        page = await mediator.ask(ListUsers(**query_args.model_dump()))
        return jsonify(
            {"items": [user_json(user) for user in page.items], "next_cursor": page.next_cursor}
        )

    @blueprint.post("/admin/users/<uuid:user_id>/disable")
    @require_admin
    @answers(409)  # the only active admin
    @document_response(UserOut)
    async def disable(user_id: uuid.UUID) -> Response:
        """Disable the account and end its sessions."""
        return jsonify(user_json(await mediator.send(DisableUser(user_id=user_id))))

    @blueprint.post("/admin/users/<uuid:user_id>/enable")
    @require_admin
    @document_response(UserOut)
    async def enable(user_id: uuid.UUID) -> Response:
        """Enable a disabled account."""
        return jsonify(user_json(await mediator.send(EnableUser(user_id=user_id))))

    @blueprint.put("/admin/users/<uuid:user_id>/role")
    @require_admin
    @answers(409)  # the only active admin
    @validate_request(RoleIn)
    @document_response(UserOut)
    async def change_role(user_id: uuid.UUID, data: RoleIn) -> Response:
        """Make the account a customer or an admin; its sessions end (the role is in its tokens)."""
        return jsonify(user_json(await mediator.send(ChangeRole(user_id=user_id, role=data.role))))

    return blueprint


def _pair(pair: TokenPair) -> Response:
    response = jsonify(
        {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "token_type": "bearer",
            "expires_in": pair.expires_in,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
