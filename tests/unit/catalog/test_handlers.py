"""The catalog's command handlers against the in-memory unit of work and a frozen clock,
through the mediator's pipeline (which opens and commits their unit of work)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.handlers import (
    AdjustStockHandler,
    CreateProductHandler,
    DeleteProductHandler,
    UpdateProductHandler,
)
from orion.modules.catalog.application.queries import ProductView
from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductPriceChangedV1,
    ProductUpdatedV1,
    StockAdjustedV1,
)
from orion.modules.catalog.domain.errors import (
    DuplicateSku,
    InsufficientStock,
    ProductNotFound,
    StaleProduct,
)
from orion.modules.catalog.domain.product import Product
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.domain.money import InvalidMoney, Money
from tests.fakes.catalog import FakeCatalogUnitOfWork
from tests.fakes.clock import FrozenClock


@dataclass
class Catalog:
    uow: FakeCatalogUnitOfWork
    clock: FrozenClock
    mediator: InProcessMediator

    def committed(self, product_id: uuid.UUID) -> Product:
        return self.uow.product(product_id)

    async def create(self, command: CreateProduct) -> ProductView:
        return await self.mediator.send(command)

    async def update(self, command: UpdateProduct) -> ProductView:
        return await self.mediator.send(command)

    async def delete(self, command: DeleteProduct) -> None:
        await self.mediator.send(command)

    async def adjust_stock(self, command: AdjustStock) -> ProductView:
        return await self.mediator.send(command)

    async def new_product(self, **overrides: Any) -> ProductView:
        """Creates a product and forgets the commit and events that made it."""
        product = await self.create(create_command(**overrides))
        self.uow.outbox.clear()
        self.uow.commits = 0
        return product


@pytest.fixture
def catalog() -> Catalog:
    uow = FakeCatalogUnitOfWork()
    clock = FrozenClock()
    mediator = InProcessMediator()
    mediator.register(CreateProduct, CreateProductHandler(clock), unit_of_work=uow)
    mediator.register(UpdateProduct, UpdateProductHandler(clock), unit_of_work=uow)
    mediator.register(DeleteProduct, DeleteProductHandler(clock), unit_of_work=uow)
    mediator.register(AdjustStock, AdjustStockHandler(clock), unit_of_work=uow)
    return Catalog(uow=uow, clock=clock, mediator=mediator)


def create_command(**overrides: Any) -> CreateProduct:
    fields: dict[str, Any] = {
        "sku": "MUG-BLUE-01",
        "name": "Blue mug",
        "description": "A mug, blue.",
        "category": "kitchen",
        "price_amount": 1250,
        "price_currency": "EUR",
        "stock": 5,
        "active": True,
    }
    fields.update(overrides)
    return CreateProduct(**fields)


# --- create -----------------------------------------------------------------------------


async def test_create_product_commits_it_and_stages_product_created(catalog: Catalog) -> None:
    view = await catalog.create(create_command())

    assert catalog.uow.commits == 1
    product = catalog.committed(view.id)
    assert product.id.version == 7
    assert (product.sku, product.name, product.category, product.stock) == (
        "MUG-BLUE-01",
        "Blue mug",
        "kitchen",
        5,
    )
    assert product.price == Money(amount=1250, currency="EUR")
    assert product.version == 1
    assert product.created_at == catalog.clock.now()

    assert catalog.uow.outbox == [
        ProductCreatedV1(
            aggregate_id=view.id,
            aggregate_version=1,
            occurred_at=catalog.clock.now(),
            sku="MUG-BLUE-01",
            name="Blue mug",
            description="A mug, blue.",
            category="kitchen",
            price_amount=1250,
            price_currency="EUR",
            stock=5,
            active=True,
        )
    ]


async def test_create_product_returns_the_created_view(catalog: Catalog) -> None:
    view = await catalog.create(create_command(name="  Blue mug  "))

    assert view.name == "Blue mug"
    assert view.price_amount == 1250
    assert view.price_currency == "EUR"
    assert view.version == 1
    assert view.created_at == view.updated_at == catalog.clock.now()


async def test_duplicate_sku_is_refused_and_nothing_is_committed(catalog: Catalog) -> None:
    first = await catalog.new_product(sku="MUG-BLUE-01")

    with pytest.raises(DuplicateSku):
        await catalog.create(create_command(sku="MUG-BLUE-01", name="Another mug"))

    assert catalog.uow.commits == 0
    assert catalog.uow.outbox == []
    assert list(catalog.uow.committed["products"]) == [first.id]


async def test_invalid_currency_is_refused_before_anything_is_committed(
    catalog: Catalog,
) -> None:
    with pytest.raises(InvalidMoney):
        await catalog.create(create_command(price_currency="ZZZ"))

    assert catalog.uow.commits == 0
    assert catalog.uow.outbox == []
    assert catalog.uow.committed.get("products", {}) == {}


async def test_sku_of_a_deleted_product_can_be_reused(catalog: Catalog) -> None:
    old = await catalog.new_product(sku="MUG-BLUE-01")
    await catalog.delete(DeleteProduct(product_id=old.id))

    new = await catalog.create(create_command(sku="MUG-BLUE-01"))

    assert new.id != old.id
    assert catalog.uow.commits == 2


# --- update -----------------------------------------------------------------------------


async def test_update_commits_and_stages_product_updated(catalog: Catalog) -> None:
    created = await catalog.new_product()
    catalog.clock.advance(minutes=5)

    view = await catalog.update(
        UpdateProduct(product_id=created.id, expected_version=1, name="Red mug", active=False)
    )

    assert catalog.uow.commits == 1
    product = catalog.committed(created.id)
    assert (product.name, product.active, product.version) == ("Red mug", False, 2)
    assert product.updated_at == catalog.clock.now()
    assert view.version == 2
    assert view.updated_at == created.updated_at + timedelta(minutes=5)
    assert catalog.uow.outbox == [
        ProductUpdatedV1(
            aggregate_id=created.id,
            aggregate_version=2,
            occurred_at=catalog.clock.now(),
            changed=["name", "active"],
            sku="MUG-BLUE-01",
            name="Red mug",
            description="A mug, blue.",
            category="kitchen",
            price_amount=1250,
            price_currency="EUR",
            active=False,
        )
    ]


async def test_update_with_a_stale_version_is_refused_and_nothing_is_committed(
    catalog: Catalog,
) -> None:
    created = await catalog.new_product()
    await catalog.update(UpdateProduct(product_id=created.id, expected_version=1, name="Red mug"))
    catalog.uow.outbox.clear()

    with pytest.raises(StaleProduct):
        await catalog.update(
            UpdateProduct(product_id=created.id, expected_version=1, name="Green mug")
        )

    assert catalog.uow.commits == 1
    assert catalog.uow.outbox == []
    assert catalog.committed(created.id).name == "Red mug"
    assert catalog.committed(created.id).version == 2


async def test_price_update_stages_product_updated_then_price_changed(catalog: Catalog) -> None:
    created = await catalog.new_product()

    await catalog.update(
        UpdateProduct(
            product_id=created.id, expected_version=1, price_amount=990, price_currency="USD"
        )
    )

    assert catalog.uow.commits == 1
    assert catalog.committed(created.id).price == Money(amount=990, currency="USD")
    updated, price_changed = catalog.uow.outbox
    assert isinstance(updated, ProductUpdatedV1)
    assert updated.changed == ["price"]
    assert (updated.price_amount, updated.price_currency) == (990, "USD")
    assert updated.aggregate_version == 2
    assert price_changed == ProductPriceChangedV1(
        aggregate_id=created.id,
        aggregate_version=2,
        occurred_at=catalog.clock.now(),
        sku="MUG-BLUE-01",
        old_amount=1250,
        old_currency="EUR",
        new_amount=990,
        new_currency="USD",
    )


async def test_price_update_without_currency_keeps_the_product_currency(
    catalog: Catalog,
) -> None:
    created = await catalog.new_product(price_amount=1000, price_currency="JPY")

    view = await catalog.update(
        UpdateProduct(product_id=created.id, expected_version=1, price_amount=1200)
    )

    assert view.price_currency == "JPY"
    assert catalog.committed(created.id).price == Money(amount=1200, currency="JPY")
    price_changed = catalog.uow.outbox[-1]
    assert isinstance(price_changed, ProductPriceChangedV1)
    assert (price_changed.old_currency, price_changed.new_currency) == ("JPY", "JPY")


async def test_update_without_changes_commits_no_event_and_keeps_version(
    catalog: Catalog,
) -> None:
    created = await catalog.new_product()

    view = await catalog.update(
        UpdateProduct(product_id=created.id, expected_version=1, name="Blue mug")
    )

    assert view.version == 1
    assert catalog.uow.outbox == []
    assert catalog.committed(created.id).version == 1


async def test_update_of_an_unknown_product_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(ProductNotFound):
        await catalog.update(UpdateProduct(product_id=uuid.uuid4(), expected_version=1))

    assert catalog.uow.commits == 0


# --- delete -----------------------------------------------------------------------------


async def test_delete_stages_product_deleted_and_the_product_is_gone(catalog: Catalog) -> None:
    created = await catalog.new_product()
    catalog.clock.advance(hours=1)

    await catalog.delete(DeleteProduct(product_id=created.id, expected_version=1))

    assert catalog.uow.commits == 1
    assert catalog.committed(created.id).deleted_at == catalog.clock.now()
    assert catalog.uow.outbox == [
        ProductDeletedV1(
            aggregate_id=created.id,
            aggregate_version=2,
            occurred_at=catalog.clock.now(),
            sku="MUG-BLUE-01",
        )
    ]
    async with catalog.uow as uow:
        with pytest.raises(ProductNotFound):
            await uow.products.get(created.id)
    with pytest.raises(ProductNotFound):
        await catalog.update(UpdateProduct(product_id=created.id, expected_version=2, name="X"))
    with pytest.raises(ProductNotFound):
        await catalog.delete(DeleteProduct(product_id=created.id))
    assert catalog.uow.commits == 1


async def test_delete_with_a_stale_version_is_refused_and_nothing_is_committed(
    catalog: Catalog,
) -> None:
    created = await catalog.new_product()

    with pytest.raises(StaleProduct):
        await catalog.delete(DeleteProduct(product_id=created.id, expected_version=7))

    assert catalog.uow.commits == 0
    assert catalog.uow.outbox == []
    assert not catalog.committed(created.id).is_deleted


# --- stock ------------------------------------------------------------------------------


async def test_adjust_stock_stages_stock_adjusted_with_the_new_stock(catalog: Catalog) -> None:
    created = await catalog.new_product(stock=5)

    view = await catalog.adjust_stock(
        AdjustStock(product_id=created.id, delta=-3, reason="sold at the fair")
    )

    assert view.stock == 2
    assert catalog.uow.commits == 1
    assert catalog.committed(created.id).stock == 2
    assert catalog.uow.outbox == [
        StockAdjustedV1(
            aggregate_id=created.id,
            aggregate_version=2,
            occurred_at=catalog.clock.now(),
            sku="MUG-BLUE-01",
            delta=-3,
            stock=2,
            reason="sold at the fair",
        )
    ]


async def test_successive_adjustments_each_bump_the_version(catalog: Catalog) -> None:
    created = await catalog.new_product(stock=0)

    await catalog.adjust_stock(AdjustStock(product_id=created.id, delta=10))
    await catalog.adjust_stock(AdjustStock(product_id=created.id, delta=-4))

    assert catalog.uow.commits == 2
    adjusted = [event for event in catalog.uow.outbox if isinstance(event, StockAdjustedV1)]
    assert adjusted == catalog.uow.outbox
    assert [(event.aggregate_version, event.stock) for event in adjusted] == [(2, 10), (3, 6)]


async def test_adjust_below_zero_is_refused_and_nothing_is_committed(catalog: Catalog) -> None:
    created = await catalog.new_product(stock=5)

    with pytest.raises(InsufficientStock):
        await catalog.adjust_stock(AdjustStock(product_id=created.id, delta=-6))

    assert catalog.uow.commits == 0
    assert catalog.uow.outbox == []
    assert catalog.committed(created.id).stock == 5
    assert catalog.committed(created.id).version == 1


# --- the fake itself --------------------------------------------------------------------


async def test_a_later_command_publishes_only_its_own_events(catalog: Catalog) -> None:
    created = await catalog.create(create_command())
    catalog.uow.outbox.clear()

    await catalog.adjust_stock(AdjustStock(product_id=created.id, delta=1))

    assert [type(event) for event in catalog.uow.outbox] == [StockAdjustedV1]
