"""Throttling of credential guessing that a stranger cannot turn against the owner, and no
user enumeration: failed logins are limited per (account, client address) and per address
(429 problem+json with ``Retry-After``); an account's failures from everywhere only slow its
sign-ins down, never refuse them; registrations and reset requests are limited per address;
an unknown email answers like a wrong password, as fast."""

from __future__ import annotations

import statistics
import time
from typing import Any

from orion.bootstrap import Orion
from tests.conftest import Client

from .helpers import PASSWORD, client_with, log_in, make_user, post, problem, register, signed_in

EMAIL = "ada@example.com"


async def assert_rate_limited(response: Any, *, at_most_s: int = 60) -> None:
    document = await problem(response, 429, "rate-limited")
    assert document["title"] == "Too many requests"
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= at_most_s


STRANGER = "203.0.113.7"
OWNER = "198.51.100.2"


async def test_the_sixth_wrong_password_for_an_account_from_one_address_is_429(
    client: Client,
) -> None:
    await signed_in(client, EMAIL)
    for attempt in range(5):
        wrong = await log_in(client, EMAIL, f"wrong password {attempt}", address=STRANGER)
        await problem(wrong, 401, "invalid-credentials")
    # the same account however the email is spelled
    limited = await log_in(client, " ADA@example.com", "wrong password 5", address=STRANGER)
    await assert_rate_limited(limited)
    # while limited, even the right password is refused from that address
    await assert_rate_limited(await log_in(client, EMAIL, PASSWORD, address=STRANGER))
    # another account, from the same address, is not limited by this one's failures
    await signed_in(client, "grace@example.com")
    # and the owner, from elsewhere, signs in
    assert (await log_in(client, EMAIL, PASSWORD, address=OWNER)).status_code == 200


async def test_a_stranger_failing_100_times_does_not_keep_the_owner_out(client: Client) -> None:
    """With the shipped settings: the stranger's address is limited on this account after
    five failures; the owner's is not limited at all, and the account is not locked."""
    await signed_in(client, EMAIL)
    statuses = [
        (await log_in(client, EMAIL, f"guess {n}", address=STRANGER)).status_code
        for n in range(100)
    ]
    assert statuses == [401] * 5 + [429] * 95
    assert (await log_in(client, EMAIL, PASSWORD, address=OWNER)).status_code == 200


async def test_strangers_from_many_addresses_slow_the_account_down_but_never_lock_it(
    orion: Orion, database_url: str
) -> None:
    """Each of 30 addresses fails once: the account is past its ceiling (10 a minute), so
    each further try waits (here at most 10 ms, ``ORION_LOGIN_DELAY_MAX_S``) before its
    password is checked, and the owner's right password still signs in."""
    async with client_with(database_url, login_delay_max_s=0.01) as client:
        await make_user(orion, EMAIL)
        for n in range(30):
            stranger = f"203.0.113.{n + 10}"
            await problem(
                await log_in(client, EMAIL, "guess", address=stranger), 401, "invalid-credentials"
            )
        assert (await log_in(client, EMAIL, PASSWORD, address=OWNER)).status_code == 200


async def test_successful_logins_are_not_counted(client: Client) -> None:
    await signed_in(client, EMAIL)
    for _ in range(8):
        assert (await log_in(client, EMAIL)).status_code == 200


async def test_many_accounts_from_one_address_are_limited_by_address(
    orion: Orion, database_url: str
) -> None:
    """Credential stuffing: one wrong try on each of many accounts, from one address."""
    async with client_with(database_url, login_limit_per_address="3/minute") as client:
        for email in ("grace@example.com", "linus@example.com", "ada@example.com"):
            await make_user(orion, email)
        attacker = "203.0.113.7"
        tries = ["grace@example.com", "nobody@example.com", "linus@example.com"]
        for email in tries:
            await problem(
                await log_in(client, email, "Summer2024!", address=attacker),
                401,
                "invalid-credentials",
            )
        await assert_rate_limited(
            await log_in(client, "someone@example.com", "Summer2024!", address=attacker)
        )
        # while limited, that address cannot sign in to an untried account either
        await assert_rate_limited(await log_in(client, "ada@example.com", address=attacker))
        # another address is not limited by it
        assert (await log_in(client, "ada@example.com", address="198.51.100.2")).status_code == 200


async def test_the_default_address_limit_is_twenty_failures_a_minute(client: Client) -> None:
    """With the shipped settings: the 21st failed login from one address is refused, spread
    over accounts so that no account's own limit (5) is reached."""
    await signed_in(client, EMAIL)
    for n in range(20):
        await problem(
            await log_in(client, f"user{n // 4}@example.com", "wrong password"),
            401,
            "invalid-credentials",
        )
    await assert_rate_limited(await log_in(client, EMAIL, PASSWORD))


async def test_registrations_and_reset_requests_are_limited_by_address(
    orion: Orion, database_url: str
) -> None:
    async with client_with(
        database_url, register_limit_per_address="2/hour", reset_limit_per_address="2/hour"
    ) as client:
        for n in range(2):
            assert (await register(client, f"new{n}@example.com")).status_code == 202
        await assert_rate_limited(await register(client, "new2@example.com"), at_most_s=3600)
        for _ in range(2):
            answer = await post(client, "/api/v1/auth/password-reset", {"email": EMAIL})
            assert answer.status_code == 202
        limited = await post(client, "/api/v1/auth/password-reset", {"email": EMAIL})
        await assert_rate_limited(limited, at_most_s=3600)


async def test_unknown_and_known_emails_answer_alike_and_as_fast(
    orion: Orion, database_url: str
) -> None:
    """The same status and body, and similar time: an unknown email still costs one
    password verification (against a decoy hash). Not a benchmark: the medians of a few
    tries must be within a factor of two of each other."""
    async with client_with(
        database_url,
        login_limit_per_account_address="100/minute",
        login_limit_per_address="100/minute",
    ) as client:
        await make_user(orion, EMAIL)
        await log_in(client, EMAIL, "warm up")  # the first request pays for imports and pools
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        bodies: dict[str, list[dict[str, Any]]] = {"known": [], "unknown": []}
        for n in range(7):
            for kind, email in (("known", EMAIL), ("unknown", f"nobody{n}@example.com")):
                started = time.perf_counter()
                answer = await log_in(client, email, "a wrong password")
                timings[kind].append(time.perf_counter() - started)
                document = await problem(answer, 401, "invalid-credentials")
                assert answer.headers["WWW-Authenticate"] == "Bearer"
                document.pop("instance")
                bodies[kind].append(document)
        assert all(body == bodies["known"][0] for body in bodies["known"] + bodies["unknown"])
        known, unknown = (statistics.median(timings[kind]) for kind in ("known", "unknown"))
        assert 0.5 <= unknown / known <= 2.0, (known, unknown)
