"""Route guards. The token check itself is the identity module's, behind the
``Authenticator`` port that the composition root puts in ``app.extensions``.

Anonymous callers of a guarded route get 401; signed-in customers on admin routes get 403.
Each guard also says so in the OpenAPI document (the bearer scheme, and its answers).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import ParamSpec, TypeVar, cast

import structlog
from quart import current_app, g, request
from quart_schema import security_scheme

from orion.shared_kernel.adapters.http.openapi import answers
from orion.shared_kernel.adapters.sql.engine import once_more_if_transient
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
        # the session check reads the database: after a dropped connection, once more
        principal = await once_more_if_transient(lambda: authenticator.authenticate(token))
        g.principal = principal
        structlog.contextvars.bind_contextvars(user_id=str(principal.user_id))
    return principal


async def optional_principal() -> Principal | None:
    """The caller if the request carries a token (a bad token is still a 401)."""
    return await authenticate() if bearer_token() is not None else None


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
BEARER_OR_NONE: list[dict[str, list[str]]] = [{}, {"bearer": []}]


def require_user(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        await authenticate()
        return await view(*args, **kwargs)

    documented: Callable[P, Awaitable[R]] = security_scheme(BEARER)(guarded)
    return documented


def require_admin(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @wraps(view)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        if not (await authenticate()).is_admin:
            raise NotAllowed("this route is for admins")
        return await view(*args, **kwargs)

    documented: Callable[P, Awaitable[R]] = answers(403)(security_scheme(BEARER)(guarded))
    return documented


def optional_bearer(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Documents a route that serves anyone and a signed-in caller as themselves (a cart):
    a token is optional, and a bad one is still a 401 (``optional_principal``)."""
    documented: Callable[P, Awaitable[R]] = security_scheme(BEARER_OR_NONE)(view)
    return documented
