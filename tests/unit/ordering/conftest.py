"""Ordering's handlers with no server: its own container and routes (``module.py``), its unit
of work and read side swapped for the in-memory fakes, and fakes answering the catalog's and
identity's queries, all through a real ``InProcessMediator``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest
from dependency_injector import providers

from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.ordering.application.commands import PlacedOrder, PlaceOrder, SetCartItem
from orion.modules.ordering.application.queries import CartRef, CartView
from orion.modules.ordering.domain.order import ShippingAddress
from orion.modules.ordering.module import MODULE, OrderingContainer
from orion.modules.ordering.settings import OrderingSettings
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.module import Platform
from orion.shared_kernel.application.exchange_rates import Quote
from orion.shared_kernel.domain.exchange import RateTable
from tests.fakes.clock import FrozenClock
from tests.fakes.ordering import (
    FakeCatalog,
    FakeContacts,
    FakeOrderingReadModel,
    FakeOrderingUnitOfWork,
    FakeRates,
)

ADDRESS = ShippingAddress(
    name="Ada Lovelace",
    line1="12 St James's Square",
    line2="",
    city="London",
    postal_code="SW1Y 4JH",
    country="GB",
)
USD_PER_EUR = Decimal("1.0412")


@dataclass
class Shop:
    uow: FakeOrderingUnitOfWork
    clock: FrozenClock
    mediator: InProcessMediator
    catalog: FakeCatalog
    contacts: FakeContacts
    rates: FakeRates
    container: OrderingContainer

    def customer(self, name: str = "Ada Lovelace") -> uuid.UUID:
        customer_id = uuid.uuid4()
        email = f"{name.split()[0].lower()}@example.com"
        self.contacts.contacts[customer_id] = CustomerContact(
            user_id=customer_id, email=email, full_name=name
        )
        return customer_id

    def product(
        self, *, price: int = 1_000, currency: str = "EUR", active: bool = True
    ) -> uuid.UUID:
        product_id = uuid.uuid4()
        self.catalog.products[product_id] = ProductForOrder(
            product_id=product_id,
            sku=f"SKU-{product_id.hex[:8]}",
            name=f"Product {product_id.hex[:8]}",
            price_amount=price,
            currency="EUR",
            stock=100,
            active=active,
        )
        return product_id

    async def put(
        self, customer_id: uuid.UUID, product_id: uuid.UUID, quantity: int = 1
    ) -> CartView:
        ref = CartRef(customer_id=customer_id, token=None)
        return await self.mediator.send(
            SetCartItem(cart=ref, product_id=product_id, quantity=quantity)
        )

    async def checkout(self, command: PlaceOrder) -> PlacedOrder:
        return await self.mediator.send(command)

    def forget_history(self) -> None:
        """What set the scene is not what a test looks at: its commits and events go."""
        self.uow.commits = 0
        self.uow.rollbacks = 0
        self.uow.outbox.clear()
        self.catalog.asked = 0
        self.rates.quotes = 0


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
def shop() -> Shop:
    uow = FakeOrderingUnitOfWork()
    clock = FrozenClock()
    mediator = InProcessMediator()
    catalog, contacts = FakeCatalog(), FakeContacts()
    rates = FakeRates(
        Quote(
            table=RateTable(
                base="EUR", as_of=date(2026, 1, 1), source="ecb", rates={"USD": USD_PER_EUR}
            ),
            fetched_at=clock.now(),
            stale=False,
        )
    )
    mediator.register(GetProductsForOrder, catalog)
    mediator.register(GetCustomerContact, contacts)
    platform = Platform(
        engine=cast(Any, None),  # every adapter that would use it is replaced below
        clock=clock,
        mediator=mediator,
        exchange_rates=cast(Any, rates),
        cache_backend=cast(Any, None),
        limiter=cast(Any, None),
    )
    container = OrderingContainer(platform=platform, settings=OrderingSettings())
    container.uow.override(providers.Object(uow))
    container.read_model.override(providers.Object(FakeOrderingReadModel(uow)))
    for route in MODULE.routes(container):
        mediator.register(route.message, route.handler, unit_of_work=route.unit_of_work)
    return Shop(
        uow=uow,
        clock=clock,
        mediator=mediator,
        catalog=catalog,
        contacts=contacts,
        rates=rates,
        container=container,
    )
