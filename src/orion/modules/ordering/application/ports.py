"""The ports the ordering module's use cases need; adapters implement them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from orion.modules.ordering.contracts.queries import (
    ListOrderRecords,
    OrderEvents,
    OrderRecord,
    OrderState,
)
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.order import Order
from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.exchange_rates import Quote
from orion.shared_kernel.application.unit_of_work import UnitOfWork

from .queries import ListOrders, OrderPage, OrderView


class CartRepository(Protocol):
    async def of_customer(self, customer_id: uuid.UUID, *, for_update: bool) -> Cart | None: ...

    async def of_token(self, token_hash: bytes, *, for_update: bool) -> Cart | None:
        """The open guest cart of this token, if any."""

    async def add(self, cart: Cart, *, token_hash: bytes | None) -> bool:
        """False when the customer has a cart already (made by a concurrent request)."""

    async def save(self, cart: Cart) -> None: ...

    async def remove_guest_carts(self, *, untouched_since: datetime) -> int: ...


class OrderRepository(Protocol):
    async def next_number(self) -> str: ...

    async def add(self, order: Order) -> None: ...

    async def get(self, order_id: uuid.UUID, *, for_update: bool = False) -> Order:
        """Raises ``OrderNotFound``."""

    async def save(self, order: Order) -> None:
        """Writes the order's new history and status, and its summary for the read side;
        raises ``ConcurrencyConflict`` if it changed since it was loaded."""


class IdempotencyRecords(Protocol):
    """Checkout responses kept by (customer, key), committed with the order they describe."""

    async def claim(
        self, customer_id: uuid.UUID, key: str
    ) -> tuple[bool, tuple[str, OrderView] | None]:
        """Holds the key until the transaction ends (false when another transaction holds
        it), and recalls what is kept for it: one round trip. The recall may miss a twin that
        committed as the key was being claimed: ``remember`` and ``recall`` tell that."""

    async def recall(self, customer_id: uuid.UUID, key: str) -> tuple[str, OrderView] | None:
        """The fingerprint and response kept for the key, if any."""

    async def remember(
        self, customer_id: uuid.UUID, key: str, fingerprint: str, response: OrderView
    ) -> bool:
        """Keeps the response; false (and keeps nothing) when one is kept for the key."""

    async def forget(self, *, created_before: datetime) -> int: ...


class OrderingUnitOfWork(UnitOfWork, Protocol):
    carts: CartRepository
    orders: OrderRepository
    idempotency: IdempotencyRecords


class SettlingBacklog(Protocol):
    """Orders the saga has not settled yet: placed, not yet paid or cancelled."""

    async def unsettled(self) -> int:
        """Their number, as recently as the adapter promises (checkout asks on every order)."""


class OrderingReadModel(Protocol):
    """Reads outside any transaction."""

    async def get_order(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> OrderView:
        """Raises ``OrderNotFound``, also for another customer's order."""

    async def cart_of(self, customer_id: uuid.UUID) -> Cart | None:
        """The customer's cart as committed, read in one statement (no transaction)."""


class OrderStates(Protocol):
    """What the consistency auditor reads of orders (``contracts/queries.py``)."""

    async def changed(self, statuses: tuple[str, ...], window: ChangedBetween) -> list[OrderState]:
        """One page of the orders in these statuses whose last move fell in the window."""

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[OrderState]: ...

    async def events_of(self, order_ids: tuple[uuid.UUID, ...]) -> list[OrderEvents]: ...


class OrderSearch(Protocol):
    """The order history's filters and keyset pages: SQL's work, proven by the integration
    tests (no fake repeats it)."""

    async def list_orders(self, query: ListOrders) -> OrderPage: ...

    async def order_records(self, query: ListOrderRecords) -> list[OrderRecord]: ...


class Rates(Protocol):
    """Exchange rates to charge in another currency with (the shared ``CurrencyConverter``)."""

    async def quote(self) -> Quote:
        """Raises ``RatesUnavailable`` (503) past their max age: no order is priced with them."""
