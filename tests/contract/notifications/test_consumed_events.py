"""Every event the notifications module consumes, as its producer's golden JSON says it
travels (``tests/contract/<producer>/golden``): it decodes into the event the module
subscribes to, and the module's policy for it (wired by ``module.py``, on fakes) renders and
sends the email from it. A producer that renames or retypes a field breaks here, not in the
consumer at run time."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orion.modules.notifications.contracts.queries import EMAILED_ORDER_EVENTS
from orion.modules.notifications.module import MODULE
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.contract.golden import BASE
from tests.fakes.notifications import FakeNotifications
from tests.integration.catalog.test_stock_reservations import envelope

CONTRACTS = Path(__file__).parents[1]
ORDER_LINK = f"https://shop.example/orders/{BASE['aggregate_id']}"


@dataclass(frozen=True)
class Expected:
    """The email an event's golden JSON makes: to whom, its subject, what its text says."""

    to: str
    subject: str
    says: tuple[str, ...]


EMAILS = {
    "identity.user_registered.v1": Expected(
        to="ada@example.com",
        subject="Confirm your email address",
        says=("Hello Ada Lovelace,", "https://shop.example/verify-email?token=verify-token-sample"),
    ),
    "identity.password_reset_requested.v1": Expected(
        to="ada@example.com",
        subject="Reset your password",
        says=(
            "Hello Ada Lovelace,",
            "https://shop.example/reset-password?token=reset-token-sample",
            "until 2026-01-02T04:04:05.678901+00:00",
        ),
    ),
    "identity.registration_attempted.v1": Expected(
        to="ada@example.com",
        subject="Someone tried to sign up with your email address",
        says=("Hello Ada Lovelace,", "https://shop.example"),
    ),
    "ordering.order_placed.v1": Expected(
        to="ada@example.com",
        subject="We received your order ORN-000123",
        says=(
            "Hello Ada Lovelace,",
            "2 x Mug at 19.99 EUR: 39.98 EUR",
            "1 x Cup at 9.99 EUR: 9.99 EUR",
            "Total: 49.97 EUR",
            ORDER_LINK,
        ),
    ),
    "ordering.order_paid.v1": Expected(
        to="ada@example.com",
        subject="Payment received for order ORN-000123",
        says=("Hello Ada Lovelace,", "We received your payment of 49.97 EUR", ORDER_LINK),
    ),
    "ordering.order_shipped.v1": Expected(
        to="ada@example.com",
        subject="Your order ORN-000123 is on its way",
        says=("Hello Ada Lovelace,", ORDER_LINK),
    ),
    "ordering.order_cancelled.v1": Expected(
        to="ada@example.com",
        subject="Your order ORN-000123 is cancelled",
        says=(
            "Hello Ada Lovelace,",
            "because you asked us to cancel it",
            "You had paid 49.97 EUR for it",
            ORDER_LINK,
        ),
    ),
}


def consumed() -> dict[str, tuple[str, type[IntegrationEvent]]]:
    """Wire name -> (producer, event type), as ``module.py`` subscribes."""
    policies = MODULE.policies(FakeNotifications().container)
    return {
        event_type.wire_name: (producer, event_type)
        for producer, by_event in policies.items()
        for event_type in by_event
    }


def golden(producer: str, wire_name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        (CONTRACTS / producer / "golden" / f"{wire_name}.json").read_text()
    )
    assert found["type"] == wire_name
    return found


def test_every_consumed_event_has_an_expected_email() -> None:
    assert set(consumed()) == set(EMAILS)


@pytest.mark.parametrize("wire_name", sorted(EMAILS))
async def test_golden_json_decodes_and_renders_the_email(wire_name: str) -> None:
    producer, event_type = consumed()[wire_name]
    payload = golden(producer, wire_name)["payload"]
    event = event_type.from_payload(payload)
    assert event.aggregate_id == BASE["aggregate_id"]
    notifications = FakeNotifications(public_url="https://shop.example")

    # As the broker delivers it: the golden payload itself, not the event encoded again.
    await notifications.deliver(dataclasses.replace(envelope(event), payload=payload))

    [email] = notifications.mailer.sent
    expected = EMAILS[wire_name]
    assert (email.to, email.subject) == (expected.to, expected.subject)
    for words in expected.says:
        assert words in email.text
    assert "Ada Lovelace" in email.html


def test_the_auditor_looks_for_an_email_for_each_order_event_the_module_answers() -> None:
    """``EMAILED_ORDER_EVENTS`` (its contracts, for the consistency auditor) is what the
    module's policies answer of ordering's events."""
    ordering = MODULE.policies(FakeNotifications().container)["ordering"]
    assert {event.wire_name for event in ordering} == EMAILED_ORDER_EVENTS
