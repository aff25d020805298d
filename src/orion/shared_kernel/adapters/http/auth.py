"""Route guards. The token check itself is the identity module's, behind the
``Authenticator`` port that the composition root puts in ``app.extensions``.

Anonymous callers of a guarded route get 401; signed-in customers on admin routes get 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar, cast

import structlog
from quart import current_app, g, request

from orion.shared_kernel.application.auth import Authenticator, Principal
from orion.shared_kernel.domain.errors import NotAllowed, NotAuthenticated

P = ParamSpec("P")
R = TypeVar("R")

AUTHENTICATOR = "orion.authenticator"


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def authenticate() -> Principal:
    """The caller of this request (checked once, then kept for the request)."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        token = bearer_token()
        if token is None:
            raise NotAuthenticated("a bearer token is required")
        authenticator = cast(Authenticator, current_app.extensions[AUTHENTICATOR])
        principal = await authenticator.authenticate(token)
        g.principal = principal
        structlog.contextvars.bind_contextvars(user_id=str(principal.user_id))
    return principal


async def optional_principal() -> Principal | None:
    """The caller if the request carries a token (a bad token is still a 401)."""
    return await authenticate() if bearer_token() is not None else None


def require_user(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        await authenticate()
        return await view(*args, **kwargs)

    return guarded


def require_admin(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        if not (await authenticate()).is_admin:
            raise NotAllowed("this route is for admins")
        return await view(*args, **kwargs)

    return guarded
