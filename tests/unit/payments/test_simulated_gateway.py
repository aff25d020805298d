"""The simulated provider: each token's outcome, and one charge per idempotency key."""

from __future__ import annotations

import pytest

from orion.modules.payments.adapters.gateway.simulated import SimulatedGateway
from orion.modules.payments.application.gateway import ChargeRequest, GatewayUnavailable
from orion.shared_kernel.domain.money import Money

EUR_12 = Money(amount=1200, currency="EUR")


def request(token: str, key: str = "pay-1") -> ChargeRequest:
    return ChargeRequest(key=key, amount=EUR_12, token=token, description="order 1")


async def test_visa_is_captured_and_charged_once_per_key() -> None:
    gateway = SimulatedGateway()

    first = await gateway.charge(request("tok_visa"))
    again = await gateway.charge(request("tok_visa"))
    other = await gateway.charge(request("tok_visa", key="pay-2"))

    assert first.status == "captured"
    assert again == first
    assert other.reference != first.reference
    assert await gateway.find_charge("pay-1") == first


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("tok_declined", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_unknown", "invalid_token"),
    ],
)
async def test_declines_carry_their_code(token: str, code: str) -> None:
    charge = await SimulatedGateway().charge(request(token))

    assert (charge.status, charge.decline_code) == ("declined", code)


async def test_flaky_fails_twice_per_key_then_captures() -> None:
    gateway = SimulatedGateway()

    for _ in range(2):
        with pytest.raises(GatewayUnavailable):
            await gateway.charge(request("tok_flaky"))
    charge = await gateway.charge(request("tok_flaky"))
    with pytest.raises(GatewayUnavailable):
        await gateway.charge(request("tok_flaky", key="pay-2"))

    assert charge.status == "captured"


async def test_timeout_waits_and_fails_on_every_call_without_charging() -> None:
    gateway = SimulatedGateway(timeout_s=0.01)

    for _ in range(3):
        with pytest.raises(GatewayUnavailable):
            await gateway.charge(request("tok_timeout"))

    assert await gateway.find_charge("pay-1") is None


async def test_refund_once_per_key_of_a_captured_charge_only() -> None:
    gateway = SimulatedGateway()
    captured = await gateway.charge(request("tok_visa"))
    declined = await gateway.charge(request("tok_declined", key="pay-2"))

    refund = await gateway.refund(key="re-1", charge_reference=captured.reference, amount=EUR_12)
    again = await gateway.refund(key="re-1", charge_reference=captured.reference, amount=EUR_12)
    with pytest.raises(LookupError):
        await gateway.refund(key="re-2", charge_reference=declined.reference, amount=EUR_12)

    assert refund == again
