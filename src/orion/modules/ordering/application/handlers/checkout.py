"""Checkout: the customer's cart becomes an order, once per Idempotency-Key.

``PlaceOrderHandler`` places the order; ``IdempotentCheckout`` wraps it, as eShop's
``IdentifiedCommandHandler`` wraps a command handler, so that a retried request gets the
first answer instead of a second order. The route reaches the wrapper.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.identity.contracts.queries import CustomerContact, GetCustomerContact
from orion.modules.ordering.application.commands import PlacedOrder, PlaceOrder
from orion.modules.ordering.application.ports import (
    OrderingReadModel,
    OrderingUnitOfWork,
    Rates,
    SettlingBacklog,
)
from orion.modules.ordering.application.queries import OrderView, order_view
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.errors import (
    CartChanged,
    CartEmpty,
    CheckoutBusy,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    MixedCurrencies,
    ProductsUnavailable,
)
from orion.modules.ordering.domain.order import AppliedRate, Customer, Order, OrderLine
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import Quote
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutReads:
    """What an order needs from outside its transaction, read before it opens."""

    cart_version: int | None  # of the cart as read; None when there was none
    products: dict[uuid.UUID, ProductForOrder]
    contact: CustomerContact
    quote: Quote | None  # only to charge in a currency the catalog does not price in


class PlaceOrderHandler:
    """Places an order from the customer's cart at the catalog's prices, in two steps.

    ``read`` asks what the order needs before the transaction opens: the cart as it is (one
    statement, no transaction), its products (the catalog), the customer's contact
    (identity) and the exchange rates to charge in another currency. These stay outside the
    order's transaction on purpose: a transaction that waits for a second pooled connection
    can starve the pool. ``__call__`` then places the order in the transaction it is given,
    refusing a cart that changed since it was read (``CartChanged``), so that the lines
    ordered are the lines priced. It neither opens nor commits that transaction, and knows
    nothing of idempotency: ``IdempotentCheckout`` does both.
    """

    def __init__(
        self,
        read_model: OrderingReadModel,
        clock: Clock,
        mediator: Mediator,
        rates: Rates,
    ) -> None:
        self._read_model = read_model
        self._clock = clock
        self._mediator = mediator
        self._rates = rates

    async def read(self, command: PlaceOrder) -> CheckoutReads:
        seen = await self._read_model.cart_of(command.customer_id)
        ids = tuple(sorted(seen.lines)) if seen is not None else ()
        products = {
            p.product_id: p
            for p in (await self._mediator.ask(GetProductsForOrder(product_ids=ids)) if ids else [])
        }
        contact = await self._mediator.ask(GetCustomerContact(user_id=command.customer_id))
        return CheckoutReads(
            cart_version=None if seen is None else seen.version,
            products=products,
            contact=contact,
            quote=await self._quote_for(command.currency, products.values()),
        )

    async def __call__(
        self, command: PlaceOrder, reads: CheckoutReads, uow: OrderingUnitOfWork
    ) -> OrderView:
        cart = await uow.carts.of_customer(command.customer_id, for_update=True)
        if cart is None or not cart.lines:
            raise CartEmpty("there is nothing in the cart to order")
        if cart.version != reads.cart_version:
            raise CartChanged("the cart changed while the order was being placed")
        lines = _priced_lines(cart, reads.products)
        applied_rate = None
        if reads.quote is not None and command.currency is not None:
            lines, applied_rate = _converted(lines, reads.quote, command.currency)
        now = self._clock.now()
        contact = reads.contact
        order = Order.place(
            id=new_id(),
            number=await uow.orders.next_number(),
            customer=Customer(id=contact.user_id, email=contact.email, name=contact.full_name),
            lines=lines,
            shipping_address=command.shipping_address,
            payment_token=command.payment_token,
            now=now,
            applied_rate=applied_rate,
        )
        cart.clear(now=now)
        await uow.carts.save(cart)
        await uow.orders.add(order)
        return order_view(order)

    async def _quote_for(
        self, currency: str | None, products: Iterable[ProductForOrder]
    ) -> Quote | None:
        """None when the catalog's prices are in ``currency`` already."""
        if currency is None or {product.currency for product in products} <= {currency}:
            return None
        return await self._rates.quote()


class IdempotentCheckout:
    """``PlaceOrderHandler``, once per (customer, Idempotency-Key), while the saga keeps up.

    0. Refused (``CheckoutBusy``, 503 with Retry-After) while ``max_unsettled`` orders or
       more wait for the saga: past that, taking orders only grows a backlog (ADR 40).
    1. The handler's reads, outside any transaction.
    2. One transaction: the key is claimed and its kept response recalled in one statement
       (``IdempotencyKeyInUse``, 409, while another request holds it), the order placed and
       the response kept. The order, the emptied cart, its ``ordering.order_placed.v1``
       event and the kept response commit together.

    A kept response is replayed to the same body, and refused (``IdempotencyKeyReused``,
    422) to another. A twin that committed as the key was claimed (after the statement's
    snapshot, before its lock) is not recalled by the claim; the order then finds the cart
    it emptied (``CartEmpty``, ``CartChanged``) or the key kept (``remember`` refuses), and
    the response is recalled again, in a statement that sees it, and replayed. Checking
    only on those answers spares every first request a second look-up (ADR 9).
    """

    def __init__(
        self,
        handler: PlaceOrderHandler,
        uow: Callable[[], OrderingUnitOfWork],
        backlog: SettlingBacklog,
        max_unsettled: int,
    ) -> None:
        self._handler = handler
        self._uow = uow
        self._backlog = backlog
        self._max_unsettled = max_unsettled

    async def __call__(self, command: PlaceOrder) -> PlacedOrder:
        unsettled = await self._backlog.unsettled()
        if unsettled >= self._max_unsettled:
            raise CheckoutBusy(f"{unsettled} orders are waiting to be settled; retry shortly")
        customer_id, key = command.customer_id, command.idempotency_key
        reads = await self._handler.read(command)
        async with self._uow() as uow:
            claimed, kept = await uow.idempotency.claim(customer_id, key)
            if not claimed:
                raise IdempotencyKeyInUse("a checkout with this key is in progress; retry later")
            if kept is not None:
                return _replay(kept, command)
            try:
                order = await self._handler(command, reads, uow)
                if not await uow.idempotency.remember(customer_id, key, command.fingerprint, order):
                    raise _KeptMeanwhile
            except (CartEmpty, CartChanged, _KeptMeanwhile):
                kept = await uow.idempotency.recall(customer_id, key)
                if kept is None:
                    raise
                return _replay(kept, command)
            await uow.commit()
        return PlacedOrder(order=order, replayed=False)


class _KeptMeanwhile(Exception):
    """A twin request kept its response for the key after the claim's recall."""


def _replay(kept: tuple[str, OrderView], command: PlaceOrder) -> PlacedOrder:
    fingerprint, view = kept
    if fingerprint != command.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different request body; use a new key"
        )
    return PlacedOrder(order=view, replayed=True)


def _priced_lines(cart: Cart, products: dict[uuid.UUID, ProductForOrder]) -> tuple[OrderLine, ...]:
    """The cart's lines at the catalog's prices (whatever a client may have sent)."""
    missing = [
        str(product_id)
        for product_id in cart.lines
        if product_id not in products or not products[product_id].active
    ]
    if missing:
        raise ProductsUnavailable(
            f"not for sale any more: {', '.join(sorted(missing))}; remove them from the cart"
        )
    return tuple(
        OrderLine(
            product_id=line.product_id,
            sku=products[line.product_id].sku,
            name=products[line.product_id].name,
            unit_price=Money(
                amount=products[line.product_id].price_amount,
                currency=products[line.product_id].currency,
            ),
            quantity=line.quantity,
        )
        for line in sorted(cart.lines.values(), key=lambda line: (line.added_at, line.product_id))
    )


def _converted(
    lines: tuple[OrderLine, ...], quote: Quote, currency: str
) -> tuple[tuple[OrderLine, ...], AppliedRate | None]:
    """Each unit price in ``currency``, converted and rounded once (the cart shows the same)."""
    bases = {line.unit_price.currency for line in lines}
    if bases == {currency}:
        return lines, None
    if len(bases) != 1:
        raise MixedCurrencies("every line of an order must be in one currency")
    (base,) = bases
    converted = tuple(
        OrderLine(
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            unit_price=quote.convert(line.unit_price, currency),
            quantity=line.quantity,
        )
        for line in lines
    )
    applied = AppliedRate(
        base_currency=base,
        rate=quote.rate(base, currency),
        source=quote.table.source,
        as_of=quote.table.as_of,
        fetched_at=quote.fetched_at,
    )
    return converted, applied
