"""Carts: a guest's, found by its token, or a customer's, made when missing and taking in the
guest cart its token names.

Each answers with the cart priced by the catalog, asked after the transaction commits (and,
to add a product, before it opens), never inside it; so these handlers open their one
transaction themselves. ``ClearCartHandler`` answers nothing: the mediator runs it in one.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.ordering.application.commands import (
    ClearCart,
    OpenCart,
    OpenedCart,
    RemoveCartItem,
    SetCartItem,
)
from orion.modules.ordering.application.ports import OrderingUnitOfWork
from orion.modules.ordering.application.queries import CartLineView, CartRef, CartView, GetCart
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.errors import CartNotFound, ProductNotFound
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money


def token_hash(token: str) -> bytes:
    """Guest tokens are kept only hashed: a leaked table does not open anyone's cart."""
    return hashlib.sha256(token.encode()).digest()


class CartPricing:
    """The catalog's side of a cart, asked through the mediator outside any transaction."""

    def __init__(self, mediator: Mediator) -> None:
        self._mediator = mediator

    async def require_for_sale(self, product_id: uuid.UUID) -> None:
        (product,) = await self._products((product_id,)) or (None,)
        if product is None or not product.active:
            raise ProductNotFound(f"no product {product_id} for sale")

    async def view(self, cart: Cart) -> CartView:
        """Each line at the catalog's current price; lines gone from sale, or in a currency
        other than the first line's, are flagged unavailable and left out of the total."""
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

    async def _products(self, ids: tuple[uuid.UUID, ...]) -> list[ProductForOrder]:
        if not ids:
            return []
        return await self._mediator.ask(GetProductsForOrder(product_ids=ids))


class _PricedCartHandler:
    """A cart use case that answers with the priced cart: its one transaction, then the
    catalog."""

    def __init__(
        self, uow: Callable[[], OrderingUnitOfWork], clock: Clock, pricing: CartPricing
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._pricing = pricing

    async def _change(self, ref: CartRef, change: Callable[[Cart, datetime], None]) -> CartView:
        now = self._clock.now()
        async with self._uow() as uow:
            cart, _ = await _resolve(uow, ref, now)
            change(cart, now)
            await uow.carts.save(cart)
            await uow.commit()
        return await self._pricing.view(cart)


class OpenCartHandler(_PricedCartHandler):
    async def __call__(self, command: OpenCart) -> OpenedCart:
        now = self._clock.now()
        token = None
        async with self._uow() as uow:
            if command.customer_id is None:
                token = secrets.token_urlsafe(32)
                cart = Cart.open(id=new_id(), customer_id=None, now=now)
                created = await uow.carts.add(cart, token_hash=token_hash(token))
            else:
                ref = CartRef(customer_id=command.customer_id, token=command.guest_token)
                cart, created = await _resolve(uow, ref, now)
            await uow.commit()
        return OpenedCart(cart=await self._pricing.view(cart), created=created, token=token)


class GetCartHandler(_PricedCartHandler):
    """A guest's cart; a customer's is opened (``OpenCart``) so that merges happen."""

    async def __call__(self, query: GetCart) -> CartView:
        async with self._uow() as uow:
            cart, _ = await _resolve(uow, query.cart, self._clock.now())
            await uow.commit()
        return await self._pricing.view(cart)


class SetCartItemHandler(_PricedCartHandler):
    async def __call__(self, command: SetCartItem) -> CartView:
        await self._pricing.require_for_sale(command.product_id)

        def set_quantity(cart: Cart, now: datetime) -> None:
            cart.set_quantity(command.product_id, command.quantity, now=now)

        return await self._change(command.cart, set_quantity)


class RemoveCartItemHandler(_PricedCartHandler):
    async def __call__(self, command: RemoveCartItem) -> CartView:
        def remove(cart: Cart, now: datetime) -> None:
            cart.remove(command.product_id, now=now)

        return await self._change(command.cart, remove)


class ClearCartHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: ClearCart, uow: OrderingUnitOfWork) -> None:
        now = self._clock.now()
        cart, _ = await _resolve(uow, command.cart, now)
        cart.clear(now=now)
        await uow.carts.save(cart)


async def _resolve(uow: OrderingUnitOfWork, ref: CartRef, now: datetime) -> tuple[Cart, bool]:
    """The cart a request means, locked; a customer's is made when missing and takes in the
    guest cart its token names. The flag says the cart was just made."""
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
