"""Sign-in throttling that a stranger cannot turn against an account's owner (ADR 8).

Only failed sign-ins count, in three moving windows (``limits``, shared through Redis when
it is configured):

- per (account, client address): past ``per_account_address`` that address is refused (429)
  for that account only, so one guesser cannot lock out the owner, who signs in from
  elsewhere;
- per client address, whatever the account: past ``per_address`` the address is refused
  (429), which stops a credential-stuffing run across many accounts;
- per account, from everywhere: past ``per_account`` each try on the account waits before
  its password is checked, ``FIRST_DELAY_S`` doubled with each further failure, at most
  ``max_delay_s``. Many addresses guessing together are slowed down; the owner's right
  password still signs in, a little later, never refused.

The account is the normalized email, known or not, so that an unknown email is throttled as
a known one is.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from limits import parse

from orion.modules.identity.application.commands import LogIn
from orion.modules.identity.application.ports import AccessTokens
from orion.modules.identity.application.queries import TokenPair
from orion.modules.identity.contracts.sessions import SignedIn, SignIn
from orion.modules.identity.domain.errors import InvalidCredentials
from orion.modules.identity.domain.user import normalize_email
from orion.shared_kernel.adapters.ratelimit import RateLimiter

FIRST_DELAY_S = 0.25

log = structlog.get_logger("orion.identity")


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginLimits:
    per_account_address: str
    per_address: str
    per_account: str
    max_delay_s: float


class LoginThrottle:
    def __init__(
        self,
        limiter: RateLimiter,
        limits: LoginLimits,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limiter = limiter
        self._limits = limits
        self._sleep = sleep
        ceiling = parse(limits.per_account)
        self._ceiling = ceiling.amount
        doublings = 0
        if limits.max_delay_s > FIRST_DELAY_S:
            doublings = math.ceil(math.log2(limits.max_delay_s / FIRST_DELAY_S))
        # the account's failures are counted past its ceiling as far as the delay still grows
        # (a moving window holds at most its amount)
        self._counted = (
            f"{ceiling.amount + doublings + 1} per {ceiling.multiples} {ceiling.GRANULARITY.name}"
        )

    async def before(self, account: str, address: str) -> None:
        """Refuses an address over its limits (``RateLimited``); waits the account's delay."""
        limits = self._limits
        await self._limiter.check(limits.per_account_address, "login-pair", account, address)
        await self._limiter.check(limits.per_address, "login-address", address)
        delay = self.delay(await self._limiter.count(self._counted, "login-account", account))
        if delay:
            log.info("login_slowed", delay_s=delay)
            await self._sleep(delay)

    async def failed(self, account: str, address: str) -> None:
        limits = self._limits
        await self._limiter.hit(limits.per_account_address, "login-pair", account, address)
        await self._limiter.hit(limits.per_address, "login-address", address)
        await self._limiter.hit(self._counted, "login-account", account)

    def delay(self, failures: int) -> float:
        """The wait before a try on an account with this many recent failures."""
        if failures < self._ceiling:
            return 0.0
        growing: float = FIRST_DELAY_S * 2 ** (failures - self._ceiling)
        return min(self._limits.max_delay_s, growing)


class ThrottledSignIn:
    """The login of another module's sign-in page (``SignIn``), counted as the API's is."""

    def __init__(
        self,
        throttle: LoginThrottle,
        log_in: Callable[[LogIn], Awaitable[TokenPair]],
        tokens: AccessTokens,
    ) -> None:
        self._throttle = throttle
        self._log_in = log_in
        self._tokens = tokens

    async def __call__(self, command: SignIn) -> SignedIn:
        account, address = normalize_email(command.email), command.client_address
        await self._throttle.before(account, address)
        try:
            pair = await self._log_in(LogIn(email=command.email, password=command.password))
        except InvalidCredentials:
            await self._throttle.failed(account, address)
            raise
        principal = self._tokens.read(pair.access_token)
        return SignedIn(
            user_id=principal.user_id, session_id=principal.session_id, role=principal.role
        )
