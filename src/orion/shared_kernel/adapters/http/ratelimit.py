"""Rate limits on every API request, by route class (ADR 15).

- ``auth`` (``/api/v1/auth/...``): per client address, the strictest; identity adds its own
  per-account and per-address limits on failed logins, registrations and resets.
- ``user``: a request with a valid bearer token, per user.
- ``anonymous``: everything else, per client address.

Each limited answer carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and
``RateLimit-Reset`` (seconds); a refused one is 429 problem+json with ``Retry-After``. The
client address is the peer's, or, when the peer is a trusted proxy
(``ORION_TRUSTED_PROXIES``), the right-most ``X-Forwarded-For`` entry that is not one: a
client cannot choose its own address by sending the header.

When the limits' storage (Redis) cannot be reached, the general API fails open (served,
logged) and the auth routes fail closed (503): a guessable password must never meet an
unlimited login.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

import structlog
from quart import Quart, Response, current_app, g, request

from orion.shared_kernel.adapters.http.auth import bearer_token, optional_principal
from orion.shared_kernel.adapters.ratelimit import (
    RateLimited,
    RateLimiter,
    RateLimitsUnavailable,
    Window,
)
from orion.shared_kernel.adapters.settings import PlatformSettings
from orion.shared_kernel.domain.errors import NotAuthenticated

log = structlog.get_logger("orion.ratelimit")

TRUSTED_PROXIES = "orion.trusted_proxies"
UNLIMITED_PREFIXES = ("/health/", "/metrics", "/docs", "/openapi.json")
# the API's sign-in routes, and the dashboard's sign-in page: per client address, fail closed
AUTH_PREFIXES = ("/api/v1/auth/", "/admin/login")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"``: addresses or CIDR networks, comma-separated."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    )


def client_address() -> str:
    """The peer, or the first address left of the trusted proxies in ``X-Forwarded-For``."""
    peer = request.remote_addr or "unknown"
    trusted: Sequence[Network] = current_app.extensions.get(TRUSTED_PROXIES, ())
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, trusted):
            return hop
    return peer


def _is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address: "unknown", or garbage in the header
    return any(ip in network for network in trusted)


def install_rate_limits(app: Quart, limiter: RateLimiter, settings: PlatformSettings) -> None:
    """Counts every API request against ``ORION_RATE_LIMIT_*``; believes ``X-Forwarded-For``
    from ``ORION_TRUSTED_PROXIES`` only."""
    app.extensions[TRUSTED_PROXIES] = parse_networks(settings.trusted_proxies)

    @app.before_request
    async def limit_request() -> None:
        path = request.path
        if path.startswith(UNLIMITED_PREFIXES):
            return
        route_class, limit, key = await _classify(path, settings)
        try:
            allowed, window = await limiter.acquire(limit, route_class, key)
        except RateLimitsUnavailable as error:
            cause = str(error.__cause__)
            if route_class == "auth":
                log.error("rate_limit_storage_unavailable", route_class=route_class, error=cause)
                raise RateLimitsUnavailable(
                    "rate limits cannot be checked; sign-in is refused until they can"
                ) from error
            log.warning("rate_limit_storage_unavailable", route_class=route_class, error=cause)
            return  # fail open: the general API keeps serving
        g.rate_limit_window = window
        if not allowed:
            log.info("rate_limited", route_class=route_class, limit=limit)
            raise RateLimited(f"{route_class} limit {limit} reached", window.reset_after_s)

    @app.after_request
    async def rate_limit_headers(response: Response) -> Response:
        window: Window | None = g.get("rate_limit_window")
        if window is not None:
            response.headers["RateLimit-Limit"] = str(window.limit)
            response.headers["RateLimit-Remaining"] = str(window.remaining)
            response.headers["RateLimit-Reset"] = str(window.reset_after_s)
        return response


async def _classify(path: str, settings: PlatformSettings) -> tuple[str, str, str]:
    if path.startswith(AUTH_PREFIXES):
        return "auth", settings.rate_limit_auth, client_address()
    if bearer_token() is not None:
        try:
            principal = await optional_principal()
        except NotAuthenticated:
            principal = None  # a bad token counts as anonymous here; the route says 401
        if principal is not None:
            return "user", settings.rate_limit_user, str(principal.user_id)
    return "anonymous", settings.rate_limit_anonymous, client_address()
