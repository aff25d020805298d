"""Carts with the in-memory unit of work: a guest's by its token, a customer's one cart, the
merge of a guest cart on sign-in, the catalog's prices, and the clean-up."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from orion.modules.ordering.application.commands import (
    CleanUp,
    ClearCart,
    OpenCart,
    RemoveCartItem,
    SetCartItem,
)
from orion.modules.ordering.application.handlers.carts import token_hash
from orion.modules.ordering.application.queries import CartRef, GetCart
from orion.modules.ordering.domain.errors import CartNotFound, InvalidCart, ProductNotFound
from orion.shared_kernel.domain.money import Money
from tests.fakes.ordering import FakeOrdering
from tests.unit.ordering.conftest import place_order


def guest(token: str | None) -> CartRef:
    return CartRef(customer_id=None, token=token)


def mine(customer_id: uuid.UUID, token: str | None = None) -> CartRef:
    return CartRef(customer_id=customer_id, token=token)


async def test_a_guest_cart_is_reached_by_its_token_kept_only_hashed(shop: FakeOrdering) -> None:
    opened = await shop.mediator.send(OpenCart(customer_id=None))

    assert opened.created
    assert opened.token is not None
    assert shop.uow.committed["cart_tokens"] == {token_hash(opened.token): opened.cart.id}
    assert opened.token.encode() not in shop.uow.committed["cart_tokens"]
    found = await shop.mediator.ask(GetCart(cart=guest(opened.token)))
    assert found.id == opened.cart.id
    for token in ("not-a-token", None):
        with pytest.raises(CartNotFound):
            await shop.mediator.ask(GetCart(cart=guest(token)))


async def test_a_customer_has_one_cart_made_on_first_use(shop: FakeOrdering) -> None:
    ada = shop.customer()

    first = await shop.mediator.send(OpenCart(customer_id=ada))
    again = await shop.mediator.send(OpenCart(customer_id=ada))

    assert (first.created, again.created) == (True, False)
    assert first.cart.id == again.cart.id
    assert first.token is None
    assert len(shop.uow.committed["carts"]) == 1


async def test_items_are_priced_by_the_catalog(shop: FakeOrdering) -> None:
    ada, pen, ink = shop.customer(), shop.product(price=250), shop.product(price=1_199)
    await shop.put(ada, pen, quantity=3)
    shop.clock.advance(seconds=1)

    cart = await shop.put(ada, ink)

    assert [(line.product_id, line.quantity, line.line_total) for line in cart.lines] == [
        (pen, 3, Money(amount=750, currency="EUR")),
        (ink, 1, Money(amount=1_199, currency="EUR")),
    ]
    assert cart.total == Money(amount=1_949, currency="EUR")
    assert cart.item_count == 4


async def test_a_product_gone_from_sale_stays_in_the_cart_unavailable_and_out_of_the_total(
    shop: FakeOrdering,
) -> None:
    ada, pen, ink = shop.customer(), shop.product(price=250), shop.product(price=1_199)
    await shop.put(ada, pen)
    await shop.put(ada, ink)
    shop.catalog.products[ink] = replace(shop.catalog.products[ink], active=False)

    cart = await shop.mediator.send(OpenCart(customer_id=ada))

    assert {line.product_id: line.available for line in cart.cart.lines} == {
        pen: True,
        ink: False,
    }
    assert cart.cart.total == Money(amount=250, currency="EUR")


async def test_only_a_product_for_sale_and_a_quantity_of_1_to_99_go_in(shop: FakeOrdering) -> None:
    ada, pen = shop.customer(), shop.product()
    hidden = shop.product(active=False)
    await shop.put(ada, pen)
    shop.forget_history()

    for product_id in (uuid.uuid4(), hidden):
        with pytest.raises(ProductNotFound):
            await shop.put(ada, product_id)
    with pytest.raises(InvalidCart):
        await shop.put(ada, pen, quantity=100)

    assert shop.uow.commits == 0
    cart = shop.uow.cart_of(ada)
    assert cart is not None
    assert {product_id: line.quantity for product_id, line in cart.lines.items()} == {pen: 1}


async def test_signing_in_takes_in_the_guest_cart_once(shop: FakeOrdering) -> None:
    ada, pen, ink = shop.customer(), shop.product(), shop.product()
    token = (await shop.mediator.send(OpenCart(customer_id=None))).token
    for product_id, quantity in ((pen, 2), (ink, 1)):
        await shop.mediator.send(
            SetCartItem(cart=guest(token), product_id=product_id, quantity=quantity)
        )
    await shop.put(ada, pen, quantity=1)

    merged = await shop.mediator.send(OpenCart(customer_id=ada, guest_token=token))
    again = await shop.mediator.send(OpenCart(customer_id=ada, guest_token=token))

    for cart in (merged.cart, again.cart):
        assert {line.product_id: line.quantity for line in cart.lines} == {pen: 3, ink: 1}
    with pytest.raises(CartNotFound):  # the guest cart is closed
        await shop.mediator.ask(GetCart(cart=guest(token)))


async def test_removing_an_item_and_clearing_the_cart(shop: FakeOrdering) -> None:
    ada, pen, ink = shop.customer(), shop.product(), shop.product()
    await shop.put(ada, pen)
    await shop.put(ada, ink)

    cart = await shop.mediator.send(RemoveCartItem(cart=mine(ada), product_id=pen))
    assert [line.product_id for line in cart.lines] == [ink]
    shop.forget_history()
    await shop.mediator.send(ClearCart(cart=mine(ada)))

    assert shop.uow.commits == 1
    committed = shop.uow.cart_of(ada)
    assert committed is not None
    assert committed.lines == {}


async def test_clean_up_removes_forgotten_guest_carts_and_old_idempotency_keys(
    shop: FakeOrdering,
) -> None:
    ada, pen = shop.customer(), shop.product()
    await shop.mediator.send(OpenCart(customer_id=None))
    await shop.put(ada, pen)
    await shop.checkout(place_order(ada))
    clean_up = CleanUp(guest_cart_ttl=timedelta(days=30), idempotency_key_ttl=timedelta(hours=24))

    early = await shop.mediator.send(clean_up)
    shop.clock.advance(days=31)
    late = await shop.mediator.send(clean_up)

    assert (early.guest_carts, early.idempotency_keys) == (0, 0)
    assert (late.guest_carts, late.idempotency_keys) == (1, 1)
    assert [cart.customer_id for cart in shop.uow.committed["carts"].values()] == [ada]
    assert shop.uow.kept(ada, "key-1") is None
