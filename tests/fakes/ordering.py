"""In-memory ordering ports with the same contract as the SQL adapters, the other modules'
answers ordering asks for (the catalog's products, identity's contacts, exchange rates), and
``FakeOrdering``: the module as ``module.py`` wires it on them, so that its handlers run
with no server."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dependency_injector import providers

from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.ordering.application.commands import PlacedOrder, PlaceOrder, SetCartItem
from orion.modules.ordering.application.events import integration_events
from orion.modules.ordering.application.queries import CartRef, CartView, OrderView, order_view
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.errors import OrderNotFound
from orion.modules.ordering.domain.order import Order
from orion.modules.ordering.module import MODULE, OrderingContainer
from orion.modules.ordering.settings import OrderingSettings
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.application.exchange_rates import Quote
from orion.shared_kernel.domain.errors import ConcurrencyConflict
from orion.shared_kernel.domain.exchange import RateTable
from tests.fakes.clock import FrozenClock
from tests.fakes.platform import fake_platform
from tests.fakes.unit_of_work import FakeUnitOfWork, stored


@dataclass(frozen=True, slots=True)
class KeptResponse:
    fingerprint: str
    response: OrderView


class DuplicateKey(Exception):
    """What PostgreSQL's unique index says to a second row with the same key."""


class FakeCartRepository:
    """A customer has one cart; a token names one cart; a closed guest cart is not found by
    its token."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, Cart]:
        return self._uow.table("carts")

    @property
    def tokens(self) -> dict[bytes, uuid.UUID]:
        return self._uow.table("cart_tokens")

    async def of_customer(self, customer_id: uuid.UUID, *, for_update: bool) -> Cart | None:
        found = next((c for c in self.rows.values() if c.customer_id == customer_id), None)
        return None if found is None else self._uow.track(copy.deepcopy(found))

    async def of_token(self, token_hash: bytes, *, for_update: bool) -> Cart | None:
        cart_id = self.tokens.get(token_hash)
        found = None if cart_id is None else self.rows.get(cart_id)
        if found is None or found.closed:
            return None
        return self._uow.track(copy.deepcopy(found))

    async def add(self, cart: Cart, *, token_hash: bytes | None) -> bool:
        if (
            cart.id in self.rows
            or token_hash in self.tokens
            or (
                cart.customer_id is not None
                and any(c.customer_id == cart.customer_id for c in self.rows.values())
            )
        ):
            return False
        cart.mark_persisted()
        self.rows[cart.id] = stored(cart)
        if token_hash is not None:
            self.tokens[token_hash] = cart.id
        self._uow.track(cart)
        return True

    async def save(self, cart: Cart) -> None:
        cart.mark_persisted()
        self.rows[cart.id] = stored(cart)

    async def remove_guest_carts(self, *, untouched_since: datetime) -> int:
        gone = {
            cart_id
            for cart_id, cart in self.rows.items()
            if cart.customer_id is None and cart.updated_at < untouched_since
        }
        for cart_id in gone:
            del self.rows[cart_id]
        for token, cart_id in list(self.tokens.items()):
            if cart_id in gone:
                del self.tokens[token]
        return len(gone)


class FakeOrderRepository:
    def __init__(self, uow: FakeOrderingUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[uuid.UUID, Order]:
        return self._uow.table("orders")

    async def next_number(self) -> str:
        return f"ORN-{next(self._uow.order_numbers):06d}"

    async def add(self, order: Order) -> None:
        if order.id in self.rows:
            raise DuplicateKey(f"order {order.id}")
        order.mark_persisted()
        self.rows[order.id] = stored(order)
        self._uow.track(order)

    async def get(self, order_id: uuid.UUID, *, for_update: bool = False) -> Order:
        order = self.rows.get(order_id)
        if order is None:
            raise OrderNotFound(f"no order {order_id}")
        return self._uow.track(copy.deepcopy(order))

    async def save(self, order: Order) -> None:
        if self.rows[order.id].version != order.loaded_version:
            raise ConcurrencyConflict(f"order {order.id} changed meanwhile")
        order.mark_persisted()
        self.rows[order.id] = stored(order)


class FakeIdempotencyRecords:
    def __init__(self, uow: FakeOrderingUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[tuple[uuid.UUID, str], KeptResponse]:
        return self._uow.table("idempotency_keys")

    async def claim(
        self, customer_id: uuid.UUID, key: str
    ) -> tuple[bool, tuple[str, OrderView] | None]:
        claimed = (customer_id, key) not in self._uow.claimed_elsewhere
        return claimed, _recalled(self.rows, customer_id, key)

    async def recall(self, customer_id: uuid.UUID, key: str) -> tuple[str, OrderView] | None:
        return _recalled(self.rows, customer_id, key)

    async def remember(
        self, customer_id: uuid.UUID, key: str, fingerprint: str, response: OrderView
    ) -> bool:
        if (customer_id, key) in self.rows:
            return False
        self.rows[customer_id, key] = KeptResponse(fingerprint, response)
        return True

    async def forget(self, *, created_before: datetime) -> int:
        old = [k for k, kept in self.rows.items() if kept.response.placed_at < created_before]
        for k in old:
            del self.rows[k]
        return len(old)


class FakeOrderingUnitOfWork(FakeUnitOfWork):
    """Changes become visible only on commit, as in a transaction; events land in ``outbox``.

    ``order_numbers`` is not rolled back, as a PostgreSQL sequence is not; a key in
    ``claimed_elsewhere`` is held by another transaction (one in flight)."""

    def __init__(self) -> None:
        super().__init__(integration_events)
        self.order_numbers = itertools.count(1)
        self.claimed_elsewhere: set[tuple[uuid.UUID, str]] = set()
        self.carts = FakeCartRepository(self)
        self.orders = FakeOrderRepository(self)
        self.idempotency = FakeIdempotencyRecords(self)

    def cart_of(self, customer_id: uuid.UUID) -> Cart | None:
        carts: dict[uuid.UUID, Cart] = self.committed.get("carts", {})
        return next((c for c in carts.values() if c.customer_id == customer_id), None)

    def order(self, order_id: uuid.UUID) -> Order:
        order: Order = self.committed["orders"][order_id]
        return order

    def kept(self, customer_id: uuid.UUID, key: str) -> KeptResponse | None:
        kept: KeptResponse | None = self.committed.get("idempotency_keys", {}).get(
            (customer_id, key)
        )
        return kept


class FakeOrderingReadModel:
    """Reads what the fake unit of work committed, outside any transaction."""

    def __init__(self, uow: FakeOrderingUnitOfWork) -> None:
        self._uow = uow

    async def get_order(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> OrderView:
        order = self._uow.committed.get("orders", {}).get(order_id)
        if order is None or customer_id not in (None, order.customer.id):
            raise OrderNotFound(f"no order {order_id}")
        return order_view(order)

    async def cart_of(self, customer_id: uuid.UUID) -> Cart | None:
        carts: dict[uuid.UUID, Cart] = self._uow.committed.get("carts", {})
        found = next((c for c in carts.values() if c.customer_id == customer_id), None)
        return copy.deepcopy(found)


def _recalled(
    rows: dict[tuple[uuid.UUID, str], KeptResponse], customer_id: uuid.UUID, key: str
) -> tuple[str, OrderView] | None:
    kept = rows.get((customer_id, key))
    return None if kept is None else (kept.fingerprint, kept.response)


class FakeSettlingBacklog:
    """As many unsettled orders as a test says (``count``)."""

    def __init__(self) -> None:
        self.count = 0

    async def unsettled(self) -> int:
        return self.count


class FakeCatalog:
    """The catalog's answer to ``GetProductsForOrder``: unknown ids are left out. ``on_ask``,
    when set, runs at the next question (what happens meanwhile), once."""

    def __init__(self) -> None:
        self.products: dict[uuid.UUID, ProductForOrder] = {}
        self.asked = 0
        self.on_ask: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, query: GetProductsForOrder) -> list[ProductForOrder]:
        self.asked += 1
        hook, self.on_ask = self.on_ask, None
        if hook is not None:
            await hook()
        return [self.products[i] for i in query.product_ids if i in self.products]


class FakeContacts:
    """Identity's answer to ``GetCustomerContact``."""

    def __init__(self) -> None:
        self.contacts: dict[uuid.UUID, CustomerContact] = {}

    async def __call__(self, query: GetCustomerContact) -> CustomerContact:
        return self.contacts[query.user_id]


class FakeRates:
    """One quote, counted: checkout asks for rates only to charge in another currency."""

    def __init__(self, quote: Quote) -> None:
        self._quote = quote
        self.quotes = 0

    async def quote(self) -> Quote:
        self.quotes += 1
        return self._quote


class FakeOrdering:
    """Ordering as ``module.py`` wires it (its container, its routes on a real mediator), its
    unit of work and read side the fakes above, and fakes answering the catalog's and
    identity's queries; rates quote ``usd_per_eur``."""

    def __init__(self, *, usd_per_eur: Decimal) -> None:
        self.uow = FakeOrderingUnitOfWork()
        self.clock = FrozenClock()
        self.mediator = InProcessMediator()
        self.catalog, self.contacts = FakeCatalog(), FakeContacts()
        table = RateTable(
            base="EUR", as_of=date(2026, 1, 1), source="ecb", rates={"USD": usd_per_eur}
        )
        self.rates = FakeRates(Quote(table=table, fetched_at=self.clock.now(), stale=False))
        self.mediator.register(GetProductsForOrder, self.catalog)
        self.mediator.register(GetCustomerContact, self.contacts)
        platform = fake_platform(self.clock, self.mediator, self.rates)
        self.container = OrderingContainer(platform=platform, settings=OrderingSettings())
        self.container.uow.override(providers.Object(self.uow))
        self.container.read_model.override(providers.Object(FakeOrderingReadModel(self.uow)))
        self.backlog = FakeSettlingBacklog()
        self.container.backlog.override(providers.Object(self.backlog))
        for route in MODULE.routes(self.container):
            self.mediator.register(route.message, route.handler, unit_of_work=route.unit_of_work)

    def customer(self, name: str = "Ada Lovelace") -> uuid.UUID:
        """A customer identity knows: ``<first name>@example.com``."""
        customer_id = uuid.uuid4()
        email = f"{name.split()[0].lower()}@example.com"
        self.contacts.contacts[customer_id] = CustomerContact(
            user_id=customer_id, email=email, full_name=name
        )
        return customer_id

    def product(self, *, price: int = 1_000, active: bool = True) -> uuid.UUID:
        """A product the catalog sells, in EUR."""
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
