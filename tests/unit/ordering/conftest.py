"""Ordering's handler tests run on ``FakeOrdering``: the module as ``module.py`` wires it,
every port a fake, through a real mediator."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from orion.modules.ordering.application.commands import PlaceOrder
from orion.modules.ordering.domain.order import ShippingAddress
from tests.fakes.ordering import FakeOrdering

ADDRESS = ShippingAddress(
    name="Ada Lovelace",
    line1="12 St James's Square",
    line2="",
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
)
USD_PER_EUR = Decimal("1.0412")


def place_order(customer_id: uuid.UUID, **overrides: Any) -> PlaceOrder:
    fields: dict[str, Any] = {
        "customer_id": customer_id,
        "idempotency_key": "key-1",
        "fingerprint": "body-1",
        "shipping_address": ADDRESS,
        "payment_token": "tok_visa",
    }
    fields.update(overrides)
    return PlaceOrder(**fields)


@pytest.fixture
def shop() -> FakeOrdering:
    return FakeOrdering(usd_per_eur=USD_PER_EUR)
