"""Rate limits on the API by route class: anonymous callers by address, signed-in ones by
user, the auth routes stricter; the RateLimit-* headers; X-Forwarded-For believed only from
trusted proxies; and Redis down: reads fail open, sign-in fails closed."""

from __future__ import annotations

import random
from typing import Any

import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr

from orion.modules.catalog.application.commands import CreateProduct
from orion.modules.identity.application.commands import Register
from orion.shared_kernel.adapters.ratelimit import (
    RateLimited,
    RateLimiter,
    RateLimitsUnavailable,
)
from orion.shared_kernel.adapters.ratelimit import storage as rate_limit_storage
from orion.shared_kernel.domain.errors import DependencyUnavailable
from tests.conftest import REDIS_URL, Shop
from tests.integration.ordering.helpers import PASSWORD, customer

RATES = "/api/v1/exchange-rates"  # no database behind it: only the limit is measured
PROXY: dict[str, Any] = {"client": ("127.0.0.1", 40000)}  # a proxy on loopback
PEER: dict[str, Any] = {"client": ("192.0.2.10", 40000)}  # a client seen directly


def forwarded(chain: str) -> dict[str, str]:
    return {"X-Forwarded-For": chain}


def random_address() -> str:
    return f"198.51.100.{random.randrange(1, 255)}"  # noqa: S311 - a test address, not a secret


async def test_the_101st_anonymous_request_in_a_window_of_100_is_refused(shop: Shop) -> None:
    async with shop(rate_limit_anonymous="100/minute") as (_, client):
        answers = [await client.get(RATES) for _ in range(101)]

    assert [a.status_code for a in answers[:100]] == [200] * 100
    assert answers[0].headers["RateLimit-Limit"] == "100"
    assert answers[0].headers["RateLimit-Remaining"] == "99"
    assert answers[99].headers["RateLimit-Remaining"] == "0"
    refused = answers[100]
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert (await refused.get_json())["type"] == "/problems/rate-limited"
    assert refused.headers["RateLimit-Limit"] == "100"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["RateLimit-Reset"]) <= 60
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_health_checks_are_not_limited(shop: Shop) -> None:
    async with shop(rate_limit_anonymous="1/minute") as (_, client):
        answers = [await client.get("/health/live") for _ in range(3)]

    assert [a.status_code for a in answers] == [200] * 3
    assert "RateLimit-Limit" not in answers[0].headers


async def test_a_spoofed_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    shop: Shop,
) -> None:
    async with shop(rate_limit_anonymous="3/minute", trusted_proxies="127.0.0.1") as (_, client):
        answers = [
            await client.get(RATES, headers={"X-Forwarded-For": f"203.0.113.{n}"}, scope_base=PEER)
            for n in range(4)
        ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(shop: Shop) -> None:
    async with shop(rate_limit_anonymous="2/minute", trusted_proxies="127.0.0.0/8") as (_, c):
        first = [
            await c.get(RATES, headers=forwarded("203.0.113.7"), scope_base=PROXY) for _ in range(2)
        ]
        # what the client itself put in front of the header is not believed
        spoofed = await c.get(RATES, headers=forwarded("6.6.6.6, 203.0.113.7"), scope_base=PROXY)
        other = await c.get(RATES, headers=forwarded("203.0.113.8"), scope_base=PROXY)

    assert [a.status_code for a in first] == [200, 200]
    assert spoofed.status_code == 429
    assert other.status_code == 200


async def test_signed_in_callers_are_limited_per_user(shop: Shop) -> None:
    async with shop(rate_limit_user="2/minute", rate_limit_anonymous="100/minute") as (o, c):
        ada, bob = await customer(o), await customer(o)
        adas = [await c.get(RATES, headers=ada) for _ in range(3)]
        bobs = await c.get(RATES, headers=bob)
        anonymous = await c.get(RATES)

    assert [a.status_code for a in adas] == [200, 200, 429]
    assert adas[0].headers["RateLimit-Limit"] == "2"
    assert bobs.status_code == 200
    assert anonymous.status_code == 200
    assert anonymous.headers["RateLimit-Limit"] == "100"


async def test_the_auth_routes_have_their_own_stricter_limit(shop: Shop) -> None:
    async with shop(rate_limit_auth="2/minute", rate_limit_anonymous="100/minute") as (_, c):
        body = {"email": "nobody@example.com", "password": "not the password"}
        logins = [await c.post("/api/v1/auth/login", json=body) for _ in range(3)]
        reads = await c.get(RATES)

    assert [a.status_code for a in logins] == [401, 401, 429]
    assert logins[0].headers["RateLimit-Limit"] == "2"
    assert reads.status_code == 200


async def test_limits_are_shared_by_processes_through_redis(
    shop: Shop, redis: aioredis.Redis
) -> None:
    settings = {
        "redis_url": SecretStr(REDIS_URL),
        "rate_limit_anonymous": "3/minute",
        "trusted_proxies": "127.0.0.1",
    }
    caller = {"X-Forwarded-For": random_address() + f", {random_address()}"}
    async with shop(**settings) as (_, first), shop(**settings) as (_, second):
        answers = [await first.get(RATES, headers=caller, scope_base=PROXY) for _ in range(2)]
        answers += [await second.get(RATES, headers=caller, scope_base=PROXY) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]


async def test_redis_down_reads_are_served_and_sign_in_is_refused(shop: Shop) -> None:
    down = SecretStr("redis://127.0.0.1:1/0")  # nothing listens there
    async with shop(redis_url=down) as (orion, client):
        await orion.mediator.send(
            Register(email="ada@example.com", password=PASSWORD, full_name="Ada")
        )
        await orion.mediator.send(
            CreateProduct(
                sku="MUG",
                name="Mug",
                description="",
                category="Home",
                price_amount=1250,
                price_currency="EUR",
                stock=1,
                active=True,
            )
        )
        products = await client.get("/api/v1/products")
        login = await client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )

    assert products.status_code == 200
    assert len((await products.get_json())["items"]) == 1
    assert "RateLimit-Limit" not in products.headers
    assert login.status_code == 503
    assert login.content_type == "application/problem+json"
    assert "access_token" not in (await login.get_json())


@pytest.mark.parametrize("call", ["check", "hit", "acquire"])
async def test_a_limit_that_cannot_be_checked_refuses_with_503(call: str) -> None:
    """So identity's own login limits, checked inside the route, answer 503 (not 500) when
    Redis goes away after the request's general limit was counted."""
    limiter = RateLimiter(rate_limit_storage("redis://127.0.0.1:1/0"))

    with pytest.raises(RateLimitsUnavailable) as refused:
        await getattr(limiter, call)("5/minute", "login-account", "ada@example.com")

    assert isinstance(refused.value, DependencyUnavailable)  # answered 503 problem+json


@pytest.mark.parametrize("where", ["memory", "redis"])
async def test_acquire_counts_in_the_window_that_check_and_count_read(where: str) -> None:
    """``acquire`` is one Lua script of Orion's on Redis: it must keep ``limits``' own list,
    so that ``check`` and ``count`` (``limits``' scripts) see the same hits."""
    limiter = RateLimiter(rate_limit_storage(REDIS_URL if where == "redis" else None))
    key = ("test-acquire", random_address(), str(random.random()))  # noqa: S311 - not a secret

    answers = [await limiter.acquire("3/minute", *key) for _ in range(4)]

    assert [allowed for allowed, _ in answers] == [True, True, True, False]
    assert [window.remaining for _, window in answers] == [2, 1, 0, 0]
    assert all(window.limit == 3 for _, window in answers)
    assert all(1 <= window.reset_after_s <= 60 for _, window in answers)
    assert await limiter.count("3/minute", *key) == 3  # the refused one was not counted
    with pytest.raises(RateLimited):
        await limiter.check("3/minute", *key)
