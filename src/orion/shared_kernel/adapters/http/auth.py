"""Who may call what. Until the identity module lands, the admin routes take a static bearer
token from ``ORION_ADMIN_TOKEN``; with no token configured, they answer 401 to everyone."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from quart import current_app, request

from orion.shared_kernel.domain.errors import NotAuthenticated

P = ParamSpec("P")
R = TypeVar("R")

ADMIN_TOKEN_CONFIG = "ORION_ADMIN_TOKEN"  # noqa: S105 - the config key, not a token


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def require_admin(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        expected: str | None = current_app.config.get(ADMIN_TOKEN_CONFIG)
        given = bearer_token()
        if not expected or not given or not hmac.compare_digest(given, expected):
            raise NotAuthenticated("an admin bearer token is required")
        return await view(*args, **kwargs)

    return guarded
