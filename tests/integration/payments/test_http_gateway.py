"""The HTTP gateway behind its retries and breaker, against a real provider on loopback.

Every fault is a real one (a 500, a 429, a read timeout, a connection dropped after the
charge), and every assertion is on what the provider saw: how many calls, when, and how
many charges it made. Timeouts and ttls are short so the file runs in seconds.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from purgatory import AsyncCircuitBreakerFactory
from redis.exceptions import RedisError
from structlog.testing import capture_logs

from orion.modules.payments.adapters.gateway.http import HttpGateway, RequestRejected
from orion.modules.payments.adapters.gateway.resilient import (
    CircuitOpen,
    ResilientGateway,
    RetryBudget,
    breakers,
    close_breakers,
)
from orion.modules.payments.application.gateway import ChargeRequest, GatewayUnavailable
from orion.shared_kernel.domain.money import Money
from tests.conftest import REDIS_URL, unavailable
from tests.fakes.provider import (
    API_KEY,
    CHARGE_THEN_DROP,
    DROP,
    HANG,
    FakeProvider,
    Fault,
    answer,
    fake_provider,
)

READ_TIMEOUT_S = 0.3
TTL_S = 0.3

Build = Callable[..., ResilientGateway]


def request(key: str = "pay-1", token: str = "tok_visa") -> ChargeRequest:  # noqa: S107  # a test card token
    return ChargeRequest(
        key=key, amount=Money(amount=1250, currency="EUR"), token=token, description="order 1"
    )


@pytest.fixture
async def provider() -> AsyncIterator[FakeProvider]:
    async with fake_provider() as running:
        yield running


@pytest.fixture
async def http(provider: FakeProvider) -> AsyncIterator[Callable[..., HttpGateway]]:
    """Builds HTTP gateways to the provider, closed after the test."""
    opened: list[HttpGateway] = []

    def build(*, name: str = "fake", api_key: str = API_KEY) -> HttpGateway:
        gateway = HttpGateway(
            base_url=provider.url,
            api_key=api_key,
            connect_timeout_s=READ_TIMEOUT_S,
            read_timeout_s=READ_TIMEOUT_S,
            name=name,
        )
        opened.append(gateway)
        return gateway

    yield build
    for gateway in opened:
        await gateway.aclose()


@pytest.fixture
def resilient(http: Callable[..., HttpGateway]) -> Build:
    """Builds resilient gateways with quick backoff and, unless told, a breaker that stays
    closed."""

    def build(*, name: str = "fake", api_key: str = API_KEY, **options: Any) -> ResilientGateway:
        options.setdefault("backoff_s", 0.01)
        factory = options.pop("factory", None) or breakers(None, threshold=1000, ttl_s=TTL_S)
        return ResilientGateway(http(name=name, api_key=api_key), factory, **options)

    return build


async def test_a_charge_is_captured_with_one_call(provider: FakeProvider, resilient: Build) -> None:
    charge = await resilient().charge(request())

    assert charge.status == "captured"
    assert provider.charges_made == {"pay-1": 1}
    assert len(provider.calls) == 1


async def test_two_500s_are_retried_with_the_same_key_into_one_charge(
    provider: FakeProvider, resilient: Build
) -> None:
    provider.next_charges(answer(500), times=2)

    with capture_logs() as logs:
        charge = await resilient().charge(request())

    assert charge.status == "captured"
    assert [c.key for c in provider.calls] == ["pay-1"] * 3
    assert provider.charges_made == {"pay-1": 1}
    retries = [line for line in logs if line["event"] == "payment_provider_retry"]
    assert len(retries) == 2
    assert "tok_visa" not in repr(logs)


async def test_a_429_is_retried_no_sooner_than_its_retry_after(
    provider: FakeProvider, resilient: Build
) -> None:
    provider.next_charges(answer(429, retry_after="2"))

    await resilient().charge(request())

    first, second = provider.calls
    assert second.at - first.at >= 2.0
    assert provider.charges_made == {"pay-1": 1}


async def test_a_retry_after_beyond_the_time_budget_is_raised_at_once(
    provider: FakeProvider, resilient: Build
) -> None:
    provider.next_charges(answer(503, retry_after="30"))

    with pytest.raises(GatewayUnavailable) as raised:
        await resilient(time_budget_s=5).charge(request())

    assert raised.value.retry_after_s == 30
    assert len(provider.calls) == 1


async def test_a_retry_after_http_date_is_read_as_seconds(
    provider: FakeProvider, http: Callable[..., HttpGateway]
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    provider.next_charges(answer(503, retry_after=later))

    with pytest.raises(GatewayUnavailable) as raised:
        await http().charge(request())

    assert raised.value.retry_after_s is not None
    assert 28 <= raised.value.retry_after_s <= 30


@pytest.mark.parametrize("fault", [HANG, CHARGE_THEN_DROP], ids=["hang", "charge-then-drop"])
async def test_a_charge_whose_answer_is_lost_is_retried_into_the_one_charge(
    provider: FakeProvider, resilient: Build, fault: Fault
) -> None:
    provider.next_charges(fault)  # charged, then a read timeout or a dropped connection

    charge = await resilient().charge(request())

    assert charge.status == "captured"
    assert [c.key for c in provider.calls] == ["pay-1", "pay-1"]
    assert provider.charges_made == {"pay-1": 1}


async def test_a_charge_whose_answer_was_lost_can_be_found_by_its_key(
    provider: FakeProvider, http: Callable[..., HttpGateway]
) -> None:
    gateway = http()
    provider.next_charges(CHARGE_THEN_DROP)
    with pytest.raises(GatewayUnavailable):
        await gateway.charge(request())

    found = await gateway.find_charge("pay-1")

    assert found is not None
    assert found.status == "captured"
    assert await gateway.find_charge("pay-2") is None
    assert provider.charges_made == {"pay-1": 1}


async def test_a_decline_is_an_answer_not_retried(provider: FakeProvider, resilient: Build) -> None:
    charge = await resilient().charge(request(token="tok_declined"))

    assert (charge.status, charge.decline_code) == ("declined", "card_declined")
    assert len(provider.calls) == 1


async def test_a_rejected_request_is_neither_retried_nor_counted_by_the_breaker(
    provider: FakeProvider, resilient: Build
) -> None:
    gateway = resilient(api_key="sk_wrong", factory=breakers(None, threshold=1, ttl_s=30))

    for _ in range(2):
        with pytest.raises(RequestRejected, match="401"):
            await gateway.charge(request())

    assert len(provider.calls) == 2
    assert await gateway.circuit_state() == "closed"


async def test_a_refund_is_made_once_per_key(provider: FakeProvider, resilient: Build) -> None:
    gateway = resilient()
    charge = await gateway.charge(request())
    provider.next_charges(answer(500))  # refunds are not charges: no effect

    refund = await gateway.refund(
        key="refund-1", charge_reference=charge.reference, amount=Money(amount=1250, currency="EUR")
    )
    again = await gateway.refund(
        key="refund-1", charge_reference=charge.reference, amount=Money(amount=1250, currency="EUR")
    )

    assert refund == again
    assert len(provider.calls_to("POST", "/v1/refunds")) == 2


@pytest.mark.parametrize("outage", [DROP, answer(503)], ids=["dropped", "503"])
async def test_the_breaker_opens_on_a_down_provider_and_closes_when_it_is_back(
    provider: FakeProvider, resilient: Build, outage: Fault
) -> None:
    gateway = resilient(
        factory=breakers(None, threshold=3, ttl_s=TTL_S),
        max_attempts=5,
        retry_budget=RetryBudget(floor=100),
    )
    provider.down = outage

    with pytest.raises(CircuitOpen):
        await gateway.charge(request())
    assert len(provider.calls) == 3
    with capture_logs() as logs:
        for _ in range(5):
            with pytest.raises(CircuitOpen):
                await gateway.charge(request())
    assert len(provider.calls) == 3
    assert not [line for line in logs if line["event"] == "payment_provider_retry"]
    assert await gateway.circuit_state() == "opened"

    provider.down = None
    await asyncio.sleep(TTL_S * 1.5)
    charge = await gateway.charge(request())

    assert charge.status == "captured"
    assert len(provider.calls) == 4
    assert await gateway.circuit_state() == "closed"


async def test_the_retry_budget_caps_retries_at_a_share_of_calls(
    provider: FakeProvider, resilient: Build
) -> None:
    gateway = resilient(max_attempts=3, retry_budget=RetryBudget(ratio=0.2, floor=1))
    provider.down = answer(500)

    for n in range(10):
        with pytest.raises(GatewayUnavailable):
            await gateway.charge(request(key=f"pay-{n}"))

    # 10 calls; retries: 1 (the floor), then one more once 20 % of 6 calls exceeds it
    assert len(provider.calls) == 12


def test_the_retry_budget_refills_as_its_window_slides() -> None:
    now = [0.0]
    budget = RetryBudget(ratio=0.5, window_s=10, floor=1, clock=lambda: now[0])
    budget.record_call()
    budget.spend()
    assert budget.exhausted()

    now[0] = 10.5

    assert not budget.exhausted()


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedBreakers:
    provider_name: str
    factories: list[AsyncCircuitBreakerFactory]


@pytest.fixture
async def shared() -> AsyncIterator[SharedBreakers]:
    """Two breaker factories on the real Redis, as two processes would have, and a provider
    name of this test's own so its breaker keys are too; the keys are deleted after."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, RedisError) as error:
        await client.aclose()
        unavailable(f"Redis at {REDIS_URL}", error)
    name = f"fake-{uuid.uuid4().hex[:12]}"
    factories = [breakers(REDIS_URL, threshold=2, ttl_s=30) for _ in range(2)]
    try:
        yield SharedBreakers(provider_name=name, factories=factories)
    finally:
        for factory in factories:
            await close_breakers(factory)
        circuit = f"cbr::payments.{name}"
        await client.delete(circuit, f"{circuit}::failure_count")
        await client.aclose()


async def test_the_breaker_state_is_shared_through_redis(
    provider: FakeProvider, resilient: Build, shared: SharedBreakers
) -> None:
    one, other = (
        resilient(name=shared.provider_name, factory=factory, max_attempts=3)
        for factory in shared.factories
    )
    provider.down = answer(500)

    with pytest.raises(CircuitOpen):
        await one.charge(request())
    with pytest.raises(CircuitOpen):
        await other.charge(request())

    assert len(provider.calls) == 2
    assert await other.circuit_state() == "opened"
