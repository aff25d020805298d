"""Checkout's handler and its idempotency wrapper, with the in-memory unit of work: what one
commit holds, what a retried request gets, and that every refusal commits nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from orion.modules.ordering.contracts.events import OrderPlacedV1
from orion.modules.ordering.domain.errors import (
    CartChanged,
    CartEmpty,
    CheckoutBusy,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    ProductsUnavailable,
)
from orion.modules.ordering.domain.order import OrderStatus
from orion.modules.ordering.settings import OrderingSettings
from orion.shared_kernel.domain.errors import DependencyUnavailable
from orion.shared_kernel.domain.money import Money
from tests.fakes.ordering import FakeOrdering
from tests.unit.ordering.conftest import USD_PER_EUR, place_order


async def cart_of_two(shop: FakeOrdering) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A customer whose cart holds two pens (2.50) and one ink (11.99)."""
    ada = shop.customer()
    pen, ink = shop.product(price=250), shop.product(price=1_199)
    await shop.put(ada, pen, quantity=2)
    shop.clock.advance(seconds=1)  # lines are ordered as they were put in
    await shop.put(ada, ink)
    shop.forget_history()
    return ada, pen, ink


def assert_nothing_committed(shop: FakeOrdering, customer_id: uuid.UUID, lines: int) -> None:
    assert shop.uow.commits == 0
    assert shop.uow.outbox == []
    assert shop.uow.committed.get("orders", {}) == {}
    assert shop.uow.committed.get("idempotency_keys", {}) == {}
    cart = shop.uow.cart_of(customer_id)
    assert len(cart.lines if cart is not None else {}) == lines


async def test_the_order_the_emptied_cart_the_event_and_the_kept_response_commit_together(
    shop: FakeOrdering,
) -> None:
    ada, pen, ink = await cart_of_two(shop)

    placed = await shop.checkout(place_order(ada))

    assert shop.uow.commits == 1
    assert not placed.replayed
    order = shop.uow.order(placed.order.id)
    assert order.status is OrderStatus.PENDING
    assert [(line.product_id, line.quantity, line.unit_price.amount) for line in order.lines] == [
        (pen, 2, 250),
        (ink, 1, 1_199),
    ]
    assert order.total == Money(amount=1_699, currency="EUR")
    assert (order.customer.email, order.customer.name) == ("ada@example.com", "Ada Lovelace")
    assert order.placed_at == shop.clock.now()
    cart = shop.uow.cart_of(ada)
    assert cart is not None
    assert cart.lines == {}
    (event,) = shop.uow.outbox
    assert isinstance(event, OrderPlacedV1)
    assert (event.aggregate_id, event.number, event.total_amount) == (order.id, order.number, 1_699)
    assert [(line.product_id, line.quantity) for line in event.lines] == [(pen, 2), (ink, 1)]
    kept = shop.uow.kept(ada, "key-1")
    assert kept is not None
    assert (kept.fingerprint, kept.response) == ("body-1", placed.order)


async def test_the_same_key_and_body_replay_the_kept_response_and_commit_nothing(
    shop: FakeOrdering,
) -> None:
    ada, pen, _ = await cart_of_two(shop)
    first = await shop.checkout(place_order(ada))
    await shop.put(ada, pen)  # a cart a second order could be made of
    shop.forget_history()

    again = await shop.checkout(place_order(ada))

    assert again.replayed
    assert again.order == first.order
    assert len(shop.uow.committed["orders"]) == 1
    assert shop.uow.commits == 0
    assert shop.uow.outbox == []
    assert shop.uow.rollbacks == 1  # the transaction that claimed the key and found it kept


async def test_a_first_request_that_commits_during_the_reads_is_replayed_not_repeated(
    shop: FakeOrdering,
) -> None:
    ada, _, _ = await cart_of_two(shop)

    async def first_request_commits_meanwhile() -> None:
        await shop.checkout(place_order(ada))

    shop.catalog.on_ask = first_request_commits_meanwhile
    second = await shop.checkout(place_order(ada))

    assert second.replayed
    (order,) = shop.uow.committed["orders"].values()
    assert second.order.id == order.id
    assert len(shop.uow.outbox) == 1
    assert shop.uow.commits == 1  # the first request's


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    shop: FakeOrdering,
) -> None:
    ada, pen, _ = await cart_of_two(shop)
    await shop.checkout(place_order(ada))
    await shop.put(ada, pen)
    shop.forget_history()

    with pytest.raises(IdempotencyKeyReused):
        await shop.checkout(place_order(ada, fingerprint="body-2", payment_token="tok_other"))

    assert shop.uow.commits == 0
    assert len(shop.uow.committed["orders"]) == 1
    cart = shop.uow.cart_of(ada)
    assert cart is not None
    assert len(cart.lines) == 1


async def test_a_key_another_request_holds_is_refused_and_nothing_is_committed(
    shop: FakeOrdering,
) -> None:
    ada, _, _ = await cart_of_two(shop)
    shop.uow.claimed_elsewhere.add((ada, "key-1"))

    with pytest.raises(IdempotencyKeyInUse):
        await shop.checkout(place_order(ada))

    assert_nothing_committed(shop, ada, lines=2)
    assert shop.uow.rollbacks == 1  # the transaction that could not claim (the cart's read is none)


async def test_a_cart_changed_between_the_read_and_the_transaction_is_refused(
    shop: FakeOrdering,
) -> None:
    ada, pen, _ = await cart_of_two(shop)

    async def customer_changes_the_cart_meanwhile() -> None:
        async with shop.uow as uow:
            cart = await uow.carts.of_customer(ada, for_update=True)
            assert cart is not None
            cart.set_quantity(pen, 5, now=shop.clock.now())
            await uow.carts.save(cart)
            await uow.commit()

    shop.catalog.on_ask = customer_changes_the_cart_meanwhile
    with pytest.raises(CartChanged):
        await shop.checkout(place_order(ada))

    assert shop.uow.commits == 1  # the change's, not an order's
    assert shop.uow.outbox == []
    assert shop.uow.committed.get("orders", {}) == {}
    assert shop.uow.kept(ada, "key-1") is None


async def test_an_empty_cart_or_none_is_refused(shop: FakeOrdering) -> None:
    _, pen, _ = await cart_of_two(shop)
    bob = shop.customer("Bob Babbage")
    for _ in range(2):
        await shop.put(bob, pen)
    async with shop.uow as uow:  # Bob emptied his cart
        cart = await uow.carts.of_customer(bob, for_update=True)
        assert cart is not None
        cart.clear(now=shop.clock.now())
        await uow.carts.save(cart)
        await uow.commit()
    shop.forget_history()

    with pytest.raises(CartEmpty):
        await shop.checkout(place_order(bob))
    with pytest.raises(CartEmpty):
        await shop.checkout(place_order(shop.customer("Cy Nobody")))

    assert_nothing_committed(shop, bob, lines=0)


async def test_a_product_gone_or_no_longer_for_sale_is_refused(shop: FakeOrdering) -> None:
    ada, _, ink = await cart_of_two(shop)
    gone = shop.catalog.products.pop(ink)

    with pytest.raises(ProductsUnavailable, match=str(ink)):
        await shop.checkout(place_order(ada))
    shop.catalog.products[ink] = replace(gone, active=False)
    with pytest.raises(ProductsUnavailable, match=str(ink)):
        await shop.checkout(place_order(ada))

    assert_nothing_committed(shop, ada, lines=2)


async def test_an_order_in_another_currency_converts_each_unit_price_once_and_keeps_the_rate(
    shop: FakeOrdering,
) -> None:
    ada, _, _ = await cart_of_two(shop)

    placed = await shop.checkout(place_order(ada, currency="USD"))

    assert shop.rates.quotes == 1
    order = shop.uow.order(placed.order.id)
    # 2.50 EUR * 1.0412 = 2.603 -> 2.60 USD; 11.99 EUR * 1.0412 = 12.483988 -> 12.48 USD
    assert [line.unit_price for line in order.lines] == [
        Money(amount=260, currency="USD"),
        Money(amount=1_248, currency="USD"),
    ]
    assert order.total == Money(amount=2 * 260 + 1_248, currency="USD")
    assert order.applied_rate is not None
    assert (order.applied_rate.base_currency, order.applied_rate.rate) == ("EUR", USD_PER_EUR)
    assert order.applied_rate.source == "ecb"
    (event,) = shop.uow.outbox
    assert isinstance(event, OrderPlacedV1)
    assert (event.currency, event.total_amount) == ("USD", 1_768)


async def test_an_order_in_the_catalogs_own_currency_asks_for_no_rates(shop: FakeOrdering) -> None:
    ada, _, _ = await cart_of_two(shop)

    placed = await shop.checkout(place_order(ada, currency="EUR"))

    assert shop.rates.quotes == 0
    assert shop.uow.order(placed.order.id).applied_rate is None
    assert placed.order.total == Money(amount=1_699, currency="EUR")


async def test_checkout_is_refused_while_the_backlog_is_at_its_bound(shop: FakeOrdering) -> None:
    """ADR 40: past ``ORION_CHECKOUT_MAX_UNSETTLED`` unsettled orders, no order is taken."""
    ada, _, _ = await cart_of_two(shop)
    shop.backlog.count = OrderingSettings().checkout_max_unsettled

    with pytest.raises(CheckoutBusy) as refused:
        await shop.checkout(place_order(ada))

    assert isinstance(refused.value, DependencyUnavailable)  # 503, with Retry-After
    assert_nothing_committed(shop, ada, lines=2)
    shop.backlog.count -= 1
    placed = await shop.checkout(place_order(ada))
    assert not placed.replayed
    assert shop.uow.commits == 1
