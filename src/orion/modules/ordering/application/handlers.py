"""The ordering module's use cases: carts, checkout, and the moves of an order's life.

Other modules are asked through the mediator before a transaction opens, never inside one:
a transaction that waits for a second pooled connection can starve the pool.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.identity.contracts.queries import GetCustomerContact
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.errors import (
    CartChanged,
    CartEmpty,
    CartNotFound,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    MixedCurrencies,
    OrderNotFound,
    ProductNotFound,
    ProductsUnavailable,
)
from orion.modules.ordering.domain.order import (
    AppliedRate,
    CancelReason,
    Customer,
    Order,
    OrderLine,
)
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import CurrencyConverter, Quote
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money

from .commands import (
    CancelOrder,
    CleanedUp,
    CleanUp,
    ClearCart,
    DeliverOrder,
    OpenCart,
    OpenedCart,
    PlacedOrder,
    PlaceOrder,
    RemoveCartItem,
    SetCartItem,
    ShipOrder,
)
from .events import integration_events
from .ports import OrderingReadModel, OrderingUnitOfWork
from .queries import (
    AppliedRateView,
    CartLineView,
    CartRef,
    CartView,
    GetCart,
    GetOrder,
    ListOrders,
    OrderLineView,
    OrderPage,
    OrderView,
)


def token_hash(token: str) -> bytes:
    """Guest tokens are kept only hashed: a leaked table does not open anyone's cart."""
    return hashlib.sha256(token.encode()).digest()


class CartHandlers:
    def __init__(
        self, uow: Callable[[], OrderingUnitOfWork], clock: Clock, mediator: Mediator
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._mediator = mediator

    async def open_cart(self, command: OpenCart) -> OpenedCart:
        now = self._clock.now()
        token = None
        async with self._uow() as uow:
            if command.customer_id is None:
                token = secrets.token_urlsafe(32)
                cart = Cart.open(id=new_id(), customer_id=None, now=now)
                await uow.carts.add(cart, token_hash=token_hash(token))
                created = True
            else:
                ref = CartRef(customer_id=command.customer_id, token=command.guest_token)
                cart, created = await self._resolve(uow, ref, now)
            await uow.commit()
        return OpenedCart(cart=await self._view(cart), created=created, token=token)

    async def get_cart(self, query: GetCart) -> CartView:
        """A guest's cart; a customer's is opened (``OpenCart``) so that merges happen."""
        async with self._uow() as uow:
            cart, _ = await self._resolve(uow, query.cart, self._clock.now())
            await uow.commit()
        return await self._view(cart)

    async def set_item(self, command: SetCartItem) -> CartView:
        (product,) = await self._products((command.product_id,)) or (None,)
        if product is None or not product.active:
            raise ProductNotFound(f"no product {command.product_id} for sale")
        now = self._clock.now()
        async with self._uow() as uow:
            cart, _ = await self._resolve(uow, command.cart, now)
            cart.set_quantity(command.product_id, command.quantity, now=now)
            await uow.carts.save(cart)
            await uow.commit()
        return await self._view(cart)

    async def remove_item(self, command: RemoveCartItem) -> CartView:
        now = self._clock.now()
        async with self._uow() as uow:
            cart, _ = await self._resolve(uow, command.cart, now)
            cart.remove(command.product_id, now=now)
            await uow.carts.save(cart)
            await uow.commit()
        return await self._view(cart)

    async def clear(self, command: ClearCart) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            cart, _ = await self._resolve(uow, command.cart, now)
            cart.clear(now=now)
            await uow.carts.save(cart)
            await uow.commit()

    async def _resolve(
        self, uow: OrderingUnitOfWork, ref: CartRef, now: datetime
    ) -> tuple[Cart, bool]:
        """The cart a request means, locked; a customer's is made when missing and takes in
        the guest cart its token names. The flag says the cart was just made."""
        if ref.customer_id is None:
            guest = (
                None
                if ref.token is None
                else await uow.carts.of_token(token_hash(ref.token), for_update=True)
            )
            if guest is None:
                raise CartNotFound("no open cart for this X-Cart-Token (or sign in)")
            return guest, False
        created = False
        cart = await uow.carts.of_customer(ref.customer_id, for_update=True)
        if cart is None:
            cart = Cart.open(id=new_id(), customer_id=ref.customer_id, now=now)
            created = await uow.carts.add(cart, token_hash=None)
            if not created:  # a concurrent request made it first
                cart = await uow.carts.of_customer(ref.customer_id, for_update=True)
                assert cart is not None
        if ref.token is not None:
            guest = await uow.carts.of_token(token_hash(ref.token), for_update=True)
            if guest is not None:
                cart.absorb(guest, now=now)
                await uow.carts.save(guest)
                await uow.carts.save(cart)
        return cart, created

    async def _products(self, ids: tuple[uuid.UUID, ...]) -> list[ProductForOrder]:
        if not ids:
            return []
        return await self._mediator.ask(GetProductsForOrder(product_ids=ids))

    async def _view(self, cart: Cart) -> CartView:
        lines = sorted(cart.lines.values(), key=lambda line: (line.added_at, line.product_id))
        ids = tuple(line.product_id for line in lines)
        products = {product.product_id: product for product in await self._products(ids)}
        views = []
        total: Money | None = None
        for line in lines:
            product = products.get(line.product_id)
            if product is None:
                views.append(
                    CartLineView(
                        product_id=line.product_id,
                        sku=None,
                        name=None,
                        quantity=line.quantity,
                        unit_price=None,
                        line_total=None,
                        available=False,
                        in_stock=False,
                    )
                )
                continue
            price = Money(amount=product.price_amount, currency=product.currency)
            available = product.active and (total is None or total.currency == price.currency)
            if available:
                total = price * line.quantity if total is None else total + price * line.quantity
            views.append(
                CartLineView(
                    product_id=line.product_id,
                    sku=product.sku,
                    name=product.name,
                    quantity=line.quantity,
                    unit_price=price,
                    line_total=price * line.quantity,
                    available=available,
                    in_stock=product.stock >= line.quantity,
                )
            )
        return CartView(
            id=cart.id,
            lines=views,
            total=total,
            item_count=sum(line.quantity for line in lines),
            updated_at=cart.updated_at,
        )


class OrderHandlers:
    def __init__(
        self,
        uow: Callable[[], OrderingUnitOfWork],
        read_model: OrderingReadModel,
        clock: Clock,
        mediator: Mediator,
        exchange_rates: CurrencyConverter,
    ) -> None:
        self._uow = uow
        self._exchange_rates = exchange_rates
        self._read_model = read_model
        self._clock = clock
        self._mediator = mediator

    async def place_order(self, command: PlaceOrder) -> PlacedOrder:
        """Checkout, idempotent by (customer, key): the order, the emptied cart, the
        ``ordering.order_placed.v1`` event and the kept response commit together."""
        recalled = await self._read_model.recall(command.customer_id, command.idempotency_key)
        if recalled is not None:
            return _replay(recalled, command)
        # What the order needs from other modules, asked before the transaction.
        async with self._uow() as uow:
            seen = await uow.carts.of_customer(command.customer_id, for_update=False)
        ids = tuple(sorted(seen.lines)) if seen is not None else ()
        products = {
            p.product_id: p
            for p in (await self._mediator.ask(GetProductsForOrder(product_ids=ids)) if ids else [])
        }
        contact = await self._mediator.ask(GetCustomerContact(user_id=command.customer_id))
        quote = await self._quote_for(command.currency, products.values())
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.idempotency.claim(command.customer_id, command.idempotency_key):
                raise IdempotencyKeyInUse("a checkout with this key is in progress; retry later")
            recalled = await uow.idempotency.recall(command.customer_id, command.idempotency_key)
            if recalled is not None:
                return _replay(recalled, command)
            cart = await uow.carts.of_customer(command.customer_id, for_update=True)
            if cart is None or not cart.lines:
                raise CartEmpty("there is nothing in the cart to order")
            if seen is None or cart.version != seen.version:
                raise CartChanged("the cart changed while the order was being placed")
            lines = _priced_lines(cart, products)
            applied_rate = None
            if quote is not None and command.currency is not None:
                lines, applied_rate = _converted(lines, quote, command.currency)
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
            uow.publish(*integration_events(order))
            view = order_view(order)
            await uow.idempotency.remember(
                command.customer_id, command.idempotency_key, command.fingerprint, view
            )
            await uow.commit()
        return PlacedOrder(order=view, replayed=False)

    async def _quote_for(
        self, currency: str | None, products: Iterable[ProductForOrder]
    ) -> Quote | None:
        """The rates to charge in ``currency`` with, asked before the transaction; none when
        the catalog's prices are in it already. Rates past their max age raise
        ``RatesUnavailable`` (503): no order is priced with them."""
        if currency is None or {product.currency for product in products} <= {currency}:
            return None
        return await self._exchange_rates.quote()

    async def cancel(self, command: CancelOrder) -> OrderView:
        reason = (
            CancelReason.ADMIN_REQUEST
            if command.customer_id is None
            else CancelReason.CUSTOMER_REQUEST
        )

        def cancel(order: Order, now: datetime) -> None:
            if command.customer_id not in (None, order.customer.id):
                raise OrderNotFound(f"no order {order.id}")
            order.cancel(reason, now=now)

        return await self._move(command.order_id, cancel)

    async def ship(self, command: ShipOrder) -> OrderView:
        return await self._move(command.order_id, lambda order, now: order.ship(now=now))

    async def deliver(self, command: DeliverOrder) -> OrderView:
        return await self._move(command.order_id, lambda order, now: order.deliver(now=now))

    async def get_order(self, query: GetOrder) -> OrderView:
        return await self._read_model.get_order(query.order_id, query.customer_id)

    async def list_orders(self, query: ListOrders) -> OrderPage:
        return await self._read_model.list_orders(query)

    async def clean_up(self, command: CleanUp) -> CleanedUp:
        now = self._clock.now()
        async with self._uow() as uow:
            carts = await uow.carts.remove_guest_carts(untouched_since=now - command.guest_cart_ttl)
            keys = await uow.idempotency.forget(created_before=now - command.idempotency_key_ttl)
            await uow.commit()
        return CleanedUp(guest_carts=carts, idempotency_keys=keys)

    async def _move(
        self, order_id: uuid.UUID, move: Callable[[Order, datetime], None]
    ) -> OrderView:
        async with self._uow() as uow:
            order = await uow.orders.get(order_id, for_update=True)
            move(order, self._clock.now())
            await uow.orders.save(order)
            uow.publish(*integration_events(order))
            await uow.commit()
        return order_view(order)


def _replay(recalled: tuple[str, OrderView], command: PlaceOrder) -> PlacedOrder:
    fingerprint, view = recalled
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


def order_view(order: Order) -> OrderView:
    return OrderView(
        id=order.id,
        number=order.number,
        status=order.status,
        customer_id=order.customer.id,
        customer_email=order.customer.email,
        lines=[
            OrderLineView(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.total,
            )
            for line in order.lines
        ],
        total=order.total,
        shipping_address=order.shipping_address,
        history=list(order.history),
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        applied_rate=None
        if order.applied_rate is None
        else AppliedRateView(
            base_currency=order.applied_rate.base_currency,
            rate=str(order.applied_rate.rate),
            source=order.applied_rate.source,
            as_of=order.applied_rate.as_of.isoformat(),
            fetched_at=order.applied_rate.fetched_at,
        ),
    )
