"""The Product aggregate's rules, and the events it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orion.modules.catalog.domain.errors import InsufficientStock, InvalidProduct, ProductNotFound
from orion.modules.catalog.domain.events import (
    ProductCreated,
    ProductDeleted,
    ProductPriceChanged,
    ProductUpdated,
    StockAdjusted,
)
from orion.modules.catalog.domain.product import (
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    MAX_NAME,
    Product,
    ProductChanges,
)
from orion.shared_kernel.domain.money import Money

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
T2 = T0 + timedelta(minutes=2)
EUR_12_50 = Money(amount=1250, currency="EUR")


def new_product(**overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "id": uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
        "sku": "MUG-BLUE-01",
        "name": "Blue mug",
        "description": "A mug, blue.",
        "category": "kitchen",
        "price": EUR_12_50,
        "stock": 5,
        "active": True,
        "now": T0,
    }
    fields.update(overrides)
    return Product.create(**fields)


def persisted_product(**overrides: Any) -> Product:
    """A product as a repository would load it: saved once, no pending events."""
    product = new_product(**overrides)
    product.pull_events()
    product.mark_persisted()
    return product


# --- creation ---------------------------------------------------------------------------


def test_create_product_records_product_created_at_version_1() -> None:
    product = new_product()

    assert product.pull_events() == [ProductCreated(at=T0, stock=5)]
    assert product.version == 1
    assert product.loaded_version == 0
    assert product.created_at == product.updated_at == T0
    assert product.deleted_at is None
    assert product.is_available


def test_create_product_strips_name_and_category() -> None:
    product = new_product(name="  Blue mug  ", category="  kitchen ")

    assert product.name == "Blue mug"
    assert product.category == "kitchen"


def test_cannot_create_product_with_negative_stock() -> None:
    with pytest.raises(InvalidProduct, match="stock"):
        new_product(stock=-1)


def test_can_create_product_with_zero_stock() -> None:
    assert new_product(stock=0).stock == 0


def test_cannot_create_product_with_negative_price() -> None:
    with pytest.raises(InvalidProduct, match="price"):
        new_product(price=Money(amount=-1, currency="EUR"))


def test_can_create_free_product() -> None:
    assert new_product(price=Money(amount=0, currency="EUR")).price.amount == 0


@pytest.mark.parametrize("sku", ["A", "a" * 64, "MUG.blue_01-x", "0abc"])
def test_sku_of_1_to_64_allowed_characters_is_accepted(sku: str) -> None:
    assert new_product(sku=sku).sku == sku


@pytest.mark.parametrize(
    "sku",
    [
        "",
        "a" * 65,
        "-MUG",
        ".MUG",
        "_MUG",
        "MUG BLUE",
        "MUG/BLUE",
        "MÜG",
        "MUG\n",  # a trailing newline must not make a second live SKU
    ],
)
def test_cannot_create_product_with_invalid_sku(sku: str) -> None:
    with pytest.raises(InvalidProduct, match="sku"):
        new_product(sku=sku)


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_NAME + 1)])
def test_cannot_create_product_with_blank_or_too_long_name(name: str) -> None:
    with pytest.raises(InvalidProduct, match="name"):
        new_product(name=name)


def test_name_of_max_length_is_accepted() -> None:
    assert len(new_product(name="x" * MAX_NAME).name) == MAX_NAME


@pytest.mark.parametrize("category", ["", "  ", "c" * (MAX_CATEGORY + 1)])
def test_cannot_create_product_with_blank_or_too_long_category(category: str) -> None:
    with pytest.raises(InvalidProduct, match="category"):
        new_product(category=category)


def test_category_of_max_length_is_accepted() -> None:
    assert len(new_product(category="c" * MAX_CATEGORY).category) == MAX_CATEGORY


def test_cannot_create_product_with_too_long_description() -> None:
    with pytest.raises(InvalidProduct, match="description"):
        new_product(description="d" * (MAX_DESCRIPTION + 1))


@pytest.mark.parametrize("description", ["", "d" * MAX_DESCRIPTION])
def test_empty_or_max_length_description_is_accepted(description: str) -> None:
    assert new_product(description=description).description == description


# --- availability -----------------------------------------------------------------------


def test_inactive_product_is_not_available() -> None:
    assert not new_product(active=False).is_available


def test_deleted_product_is_not_available() -> None:
    product = persisted_product()

    product.delete(now=T1)

    assert product.is_deleted
    assert not product.is_available


# --- update -----------------------------------------------------------------------------


def test_update_records_product_updated_with_the_changed_fields() -> None:
    product = persisted_product()

    product.update(
        ProductChanges(name="Red mug", description="A mug, red.", category="mugs", active=False),
        now=T1,
    )

    assert product.pull_events() == [
        ProductUpdated(at=T1, fields=("name", "description", "category", "active"))
    ]
    assert (product.name, product.description, product.category, product.active) == (
        "Red mug",
        "A mug, red.",
        "mugs",
        False,
    )
    assert product.updated_at == T1
    assert product.created_at == T0


def test_update_names_only_the_fields_that_really_changed() -> None:
    product = persisted_product()

    product.update(ProductChanges(name="Blue mug", category="mugs", active=True), now=T1)

    assert product.pull_events() == [ProductUpdated(at=T1, fields=("category",))]


def test_price_change_records_price_changed_event() -> None:
    product = persisted_product()
    new_price = Money(amount=1500, currency="EUR")

    product.update(ProductChanges(price=new_price), now=T1)

    assert product.pull_events() == [
        ProductUpdated(at=T1, fields=("price",)),
        ProductPriceChanged(at=T1, old=EUR_12_50, new=new_price),
    ]
    assert product.price == new_price


def test_currency_change_alone_is_a_price_change() -> None:
    product = persisted_product()
    new_price = Money(amount=1250, currency="USD")

    product.update(ProductChanges(price=new_price), now=T1)

    assert product.pull_events() == [
        ProductUpdated(at=T1, fields=("price",)),
        ProductPriceChanged(at=T1, old=EUR_12_50, new=new_price),
    ]


def test_update_without_changes_records_nothing_and_keeps_version() -> None:
    product = persisted_product()

    product.update(ProductChanges(), now=T1)
    product.update(
        ProductChanges(
            name=" Blue mug ",
            description="A mug, blue.",
            category="kitchen",
            price=Money(amount=1250, currency="EUR"),
            active=True,
        ),
        now=T1,
    )

    assert product.pull_events() == []
    assert product.version == 1
    assert product.updated_at == T0


def test_cannot_update_to_a_negative_price() -> None:
    product = persisted_product()

    with pytest.raises(InvalidProduct, match="price"):
        product.update(ProductChanges(price=Money(amount=-1, currency="EUR")), now=T1)

    assert product.price == EUR_12_50
    assert product.pull_events() == []


@pytest.mark.parametrize(
    "changes",
    [
        ProductChanges(name=" "),
        ProductChanges(name="x" * (MAX_NAME + 1)),
        ProductChanges(category=""),
        ProductChanges(category="c" * (MAX_CATEGORY + 1)),
        ProductChanges(description="d" * (MAX_DESCRIPTION + 1)),
    ],
)
def test_cannot_update_to_an_invalid_value(changes: ProductChanges) -> None:
    product = persisted_product()

    with pytest.raises(InvalidProduct):
        product.update(changes, now=T1)

    assert product.pull_events() == []
    assert product.version == 1


def test_refused_update_leaves_the_product_unchanged() -> None:
    product = persisted_product()

    with pytest.raises(InvalidProduct):
        product.update(ProductChanges(name="Red mug", category=""), now=T1)

    assert product.name == "Blue mug"


def test_deleted_product_cannot_be_updated() -> None:
    product = persisted_product()
    product.delete(now=T1)
    product.pull_events()

    with pytest.raises(ProductNotFound):
        product.update(ProductChanges(name="Red mug"), now=T2)

    assert product.name == "Blue mug"
    assert product.pull_events() == []


# --- delete -----------------------------------------------------------------------------


def test_delete_records_product_deleted_and_marks_the_product_deleted() -> None:
    product = persisted_product()

    product.delete(now=T1)

    assert product.pull_events() == [ProductDeleted(at=T1)]
    assert product.deleted_at == T1
    assert product.updated_at == T1
    assert product.version == 2


def test_deleted_product_cannot_be_deleted_again() -> None:
    product = persisted_product()
    product.delete(now=T1)

    with pytest.raises(ProductNotFound):
        product.delete(now=T2)

    assert product.deleted_at == T1


# --- stock ------------------------------------------------------------------------------


def test_adjust_stock_adds_delta_and_records_stock_adjusted() -> None:
    product = persisted_product(stock=5)

    product.adjust_stock(3, reason="delivery", now=T1)
    product.adjust_stock(-2, reason=None, now=T1)

    assert product.stock == 6
    assert product.updated_at == T1
    assert product.pull_events() == [
        StockAdjusted(at=T1, delta=3, reason="delivery"),
        StockAdjusted(at=T1, delta=-2, reason=None),
    ]


def test_stock_can_go_down_to_exactly_zero() -> None:
    product = persisted_product(stock=5)

    product.adjust_stock(-5, reason="sold out", now=T1)

    assert product.stock == 0


def test_stock_never_goes_below_zero() -> None:
    product = persisted_product(stock=5)

    with pytest.raises(InsufficientStock, match="5 on hand"):
        product.adjust_stock(-6, reason="sale", now=T1)

    assert product.stock == 5
    assert product.updated_at == T0
    assert product.version == 1
    assert product.pull_events() == []


def test_stock_adjustment_needs_a_non_zero_delta() -> None:
    product = persisted_product()

    with pytest.raises(InvalidProduct, match="non-zero"):
        product.adjust_stock(0, reason=None, now=T1)

    assert product.pull_events() == []


def test_deleted_product_stock_cannot_be_adjusted() -> None:
    product = persisted_product(stock=5)
    product.delete(now=T1)

    with pytest.raises(ProductNotFound):
        product.adjust_stock(1, reason=None, now=T2)

    assert product.stock == 5


# --- versions ---------------------------------------------------------------------------


def test_version_bumps_once_per_change_batch() -> None:
    product = persisted_product(stock=5)
    assert product.version == 1

    product.update(ProductChanges(name="Red mug", price=Money(amount=1, currency="EUR")), now=T1)
    product.adjust_stock(1, reason=None, now=T1)
    product.adjust_stock(1, reason=None, now=T1)

    assert product.version == 2
    assert product.loaded_version == 1
    assert len(product.pull_events()) == 4

    product.mark_persisted()
    product.adjust_stock(1, reason=None, now=T2)

    assert product.version == 3
    assert product.loaded_version == 2


def test_pull_events_empties_the_pending_events() -> None:
    product = new_product()

    assert product.pull_events() == [ProductCreated(at=T0, stock=5)]
    assert product.pull_events() == []
