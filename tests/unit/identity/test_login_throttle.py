"""The sign-in throttle's three windows, on ``limits``' in-memory storage, its waits recorded
instead of slept."""

from __future__ import annotations

import pytest
from limits.aio.storage import MemoryStorage

from orion.modules.identity.adapters.http.throttle import LoginLimits, LoginThrottle
from orion.shared_kernel.adapters.ratelimit import RateLimited, RateLimiter

OWNER, STRANGER = "198.51.100.2", "203.0.113.7"
ACCOUNT = "ada@example.com"


class Waits:
    def __init__(self) -> None:
        self.seen: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


def throttle(waits: Waits, max_delay_s: float = 8.0) -> LoginThrottle:
    """The shipped limits: 5 a minute per (account, address), 20 per address, 10 per account."""
    limits = LoginLimits(
        per_account_address="5/minute",
        per_address="20/minute",
        per_account="10/minute",
        max_delay_s=max_delay_s,
    )
    return LoginThrottle(RateLimiter(MemoryStorage()), limits, sleep=waits)


async def fail(gate: LoginThrottle, account: str, address: str) -> None:
    await gate.before(account, address)
    await gate.failed(account, address)


async def test_an_address_guessing_one_account_is_refused_there_only() -> None:
    waits = Waits()
    gate = throttle(waits)
    for _ in range(5):
        await fail(gate, ACCOUNT, STRANGER)
    with pytest.raises(RateLimited) as refused:
        await gate.before(ACCOUNT, STRANGER)
    assert 1 <= refused.value.retry_after_s <= 60
    await gate.before(ACCOUNT, OWNER)  # the owner, elsewhere: neither refused nor slowed
    await gate.before("grace@example.com", STRANGER)  # the guesser, on another account
    assert waits.seen == []


async def test_an_address_failing_across_accounts_is_refused_everywhere() -> None:
    gate = throttle(Waits())
    for n in range(20):
        await fail(gate, f"user{n}@example.com", STRANGER)
    with pytest.raises(RateLimited):
        await gate.before("never-tried@example.com", STRANGER)
    await gate.before("never-tried@example.com", OWNER)


async def test_past_its_ceiling_an_account_is_slowed_exponentially_never_refused() -> None:
    waits = Waits()
    gate = throttle(waits, max_delay_s=2.0)
    for n in range(16):  # one failure from each of 16 addresses
        await fail(gate, ACCOUNT, f"203.0.113.{n}")
    assert waits.seen == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]  # the 11th try on waits first
    await gate.before(ACCOUNT, OWNER)
    assert waits.seen[-1] == 2.0


def test_the_wait_doubles_from_the_ceiling_up_to_the_cap() -> None:
    gate = throttle(Waits())
    assert [gate.delay(failures) for failures in (0, 9, 10, 11, 12, 15, 16, 99)] == [
        0.0,
        0.0,
        0.25,
        0.5,
        1.0,
        8.0,
        8.0,
        8.0,
    ]
