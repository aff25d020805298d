"""The queries one module asks another (``contracts/queries.py``), asked through the mediator
of a real Orion on the test database, so that the providing module's real handler and read
model answer. Each test checks the answer's type and every field its consumers read, by
name, exact type and value: a provider that renames or retypes one breaks here, not in a
consumer at run time.

Who reads what (``grep -rn "<Query>" src``):
- ``GetProductsForOrder`` (catalog): ordering's cart view and checkout read every field of
  ``ProductForOrder``; an unknown id is left out and a deleted product comes back inactive
  (both make a line unavailable).
- ``GetCustomerContact`` (identity): ordering's checkout reads ``user_id``, ``email`` and
  ``full_name`` (the order's customer); an unknown user is ``NotFound``.
- ``GetOrderPayment`` (payments): ordering's order routes (``payment_json``) read every field
  of ``OrderPayment`` but ``created_at``, and each attempt's fields; no payment yet is None.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import NoneType
from typing import Any

import pytest

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct, DeleteProduct
from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.identity.application.commands import Register
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1
from orion.modules.payments.contracts.queries import (
    GetOrderPayment,
    OrderPayment,
    PaymentAttemptView,
)
from orion.shared_kernel.domain.errors import NotFound
from tests.integration.catalog.test_stock_reservations import envelope
from tests.integration.notifications.helpers import order_event
from tests.integration.ordering.helpers import PASSWORD

# Each DTO's fields its consumers read, with the types each may have.
PRODUCT_FOR_ORDER: dict[str, tuple[type, ...]] = {
    "product_id": (uuid.UUID,),
    "sku": (str,),
    "name": (str,),
    "price_amount": (int,),
    "currency": (str,),
    "stock": (int,),
    "active": (bool,),
}
CUSTOMER_CONTACT: dict[str, tuple[type, ...]] = {
    "user_id": (uuid.UUID,),
    "email": (str,),
    "full_name": (str,),
}
ORDER_PAYMENT: dict[str, tuple[type, ...]] = {
    "payment_id": (uuid.UUID,),
    "status": (str,),
    "amount": (int,),
    "currency": (str,),
    "provider": (str,),
    "provider_reference": (str, NoneType),
    "failure_reason": (str, NoneType),
    "attempts": (list,),
    "updated_at": (datetime,),
}
PAYMENT_ATTEMPT: dict[str, tuple[type, ...]] = {
    "number": (int,),
    "at": (datetime,),
    "step": (str,),
    "outcome": (str,),
    "detail": (str, NoneType),
}


def assert_shape(answer: object, dto: type, read: dict[str, tuple[type, ...]]) -> None:
    """``answer`` is a ``dto`` whose fields the consumers read have their types (a subclass
    such as asyncpg's UUID will do, but a ``bool`` is no ``int``); its datetimes are
    timezone-aware (consumers show them with their offset)."""
    assert type(answer) is dto
    for name, types in read.items():
        value = getattr(answer, name)
        kind = f"{dto.__name__}.{name} is a {type(value).__name__}"
        assert isinstance(value, types), kind
        assert not isinstance(value, bool) or bool in types, kind
        if isinstance(value, datetime):
            assert value.utcoffset() is not None, f"{dto.__name__}.{name} is naive"


def new_product(sku: str, **fields: Any) -> CreateProduct:
    values: dict[str, Any] = {
        "sku": sku,
        "name": f"Product {sku}",
        "description": "",
        "category": "Home",
        "price_amount": 1_999,
        "price_currency": "EUR",
        "stock": 7,
        **fields,
    }
    return CreateProduct(**values)


async def test_get_products_for_order(orion: Orion) -> None:
    mug = await orion.mediator.send(new_product("MUG-1", name="Mug"))
    hidden = await orion.mediator.send(new_product("HID-1", active=False, price_amount=500))
    gone = await orion.mediator.send(new_product("GONE-1", price_currency="JPY"))
    await orion.mediator.send(DeleteProduct(product_id=gone.id))

    answer = await orion.mediator.ask(
        GetProductsForOrder(product_ids=(mug.id, hidden.id, gone.id, uuid.uuid4()))
    )

    assert type(answer) is list
    for product in answer:
        assert_shape(product, ProductForOrder, PRODUCT_FOR_ORDER)
    by_id = {product.product_id: product for product in answer}
    assert set(by_id) == {mug.id, hidden.id, gone.id}  # the unknown id left out
    found = by_id[mug.id]
    assert (found.sku, found.name, found.price_amount, found.currency, found.stock) == (
        "MUG-1",
        "Mug",
        1_999,
        "EUR",
        7,
    )
    assert found.active is True
    assert (by_id[hidden.id].active, by_id[hidden.id].price_amount) == (False, 500)
    assert (by_id[gone.id].active, by_id[gone.id].currency) == (False, "JPY")


async def test_get_customer_contact(orion: Orion) -> None:
    user = await orion.mediator.send(
        Register(email="Ada@Example.com", password=PASSWORD, full_name="Ada Lovelace")
    )

    contact = await orion.mediator.ask(GetCustomerContact(user_id=user.id))

    assert_shape(contact, CustomerContact, CUSTOMER_CONTACT)
    assert contact == CustomerContact(
        user_id=user.id, email="ada@example.com", full_name="Ada Lovelace"
    )
    with pytest.raises(NotFound) as unknown:
        await orion.mediator.ask(GetCustomerContact(user_id=uuid.uuid4()))
    assert unknown.value.code == "user-not-found"


async def pay(orion: Orion, order_id: uuid.UUID, token: str) -> None:
    """Ordering's order awaiting payment, delivered to the payments module's consumer as the
    broker would: the payment is charged with ``token`` (the simulated provider)."""
    event = order_event(OrderAwaitingPaymentV1, aggregate_id=order_id, payment_token=token)
    [handle] = [s.handle for s in orion.subscriptions(["payments"]) if event.wire_name in s.types]
    await handle(envelope(event))


@pytest.mark.parametrize(
    ("token", "status", "failure_reason", "outcome"),
    [
        ("tok_visa", "captured", None, "captured"),
        ("tok_declined", "failed", "card_declined", "declined"),
    ],
)
async def test_get_order_payment(
    orion: Orion, token: str, status: str, failure_reason: str | None, outcome: str
) -> None:
    order_id = uuid.uuid4()
    await pay(orion, order_id, token)

    payment = await orion.mediator.ask(GetOrderPayment(order_id=order_id))

    assert_shape(payment, OrderPayment, ORDER_PAYMENT)
    assert payment is not None
    assert (payment.status, payment.failure_reason) == (status, failure_reason)
    assert (payment.amount, payment.currency, payment.provider) == (1_998, "EUR", "simulated")
    assert payment.attempts
    for attempt in payment.attempts:
        assert_shape(attempt, PaymentAttemptView, PAYMENT_ATTEMPT)
    last = payment.attempts[-1]
    assert (last.number, last.step, last.outcome) == (len(payment.attempts), "charge", outcome)


async def test_get_order_payment_before_any_payment_is_none(orion: Orion) -> None:
    assert await orion.mediator.ask(GetOrderPayment(order_id=uuid.uuid4())) is None
