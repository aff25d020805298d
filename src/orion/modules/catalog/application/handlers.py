"""The catalog's use cases. Each command is one transaction: the product row and the events
it publishes commit together."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductPriceChangedV1,
    ProductUpdatedV1,
    StockAdjustedV1,
)
from orion.modules.catalog.contracts.queries import GetProductsForOrder, ProductForOrder
from orion.modules.catalog.domain.errors import StaleProduct
from orion.modules.catalog.domain.events import (
    ProductCreated,
    ProductDeleted,
    ProductPriceChanged,
    ProductUpdated,
    StockAdjusted,
)
from orion.modules.catalog.domain.product import Product, ProductChanges
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.messages import IntegrationEvent
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money

from .commands import AdjustStock, CreateProduct, DeleteProduct, UpdateProduct
from .ports import CatalogReadModel, CatalogUnitOfWork
from .queries import (
    CategoryView,
    GetProduct,
    GetProductFacets,
    ListCategories,
    ListProducts,
    ProductFacets,
    ProductPage,
    ProductView,
)


class CreateProductHandler:
    def __init__(self, uow: Callable[[], CatalogUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: CreateProduct) -> ProductView:
        product = Product.create(
            id=new_id(),
            sku=command.sku,
            name=command.name,
            description=command.description,
            category=command.category,
            price=Money(amount=command.price_amount, currency=command.price_currency),
            stock=command.stock,
            active=command.active,
            now=self._clock.now(),
        )
        async with self._uow() as uow:
            await uow.products.add(product)
            uow.publish(*integration_events(product))
            await uow.commit()
        return view(product)


class UpdateProductHandler:
    def __init__(self, uow: Callable[[], CatalogUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: UpdateProduct) -> ProductView:
        async with self._uow() as uow:
            product = await uow.products.get(command.product_id)
            if product.version != command.expected_version:
                raise StaleProduct(
                    f"product {product.id} is at version {product.version}, "
                    f"not {command.expected_version}"
                )
            price = None
            if command.price_amount is not None:
                currency = command.price_currency or product.price.currency
                price = Money(amount=command.price_amount, currency=currency)
            changes = ProductChanges(
                name=command.name,
                description=command.description,
                category=command.category,
                price=price,
                active=command.active,
            )
            product.update(changes, now=self._clock.now())
            await uow.products.save(product)
            uow.publish(*integration_events(product))
            await uow.commit()
        return view(product)


class DeleteProductHandler:
    def __init__(self, uow: Callable[[], CatalogUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: DeleteProduct) -> None:
        async with self._uow() as uow:
            product = await uow.products.get(command.product_id)
            if command.expected_version not in (None, product.version):
                raise StaleProduct(
                    f"product {product.id} is at version {product.version}, "
                    f"not {command.expected_version}"
                )
            product.delete(now=self._clock.now())
            await uow.products.save(product)
            uow.publish(*integration_events(product))
            await uow.commit()


class AdjustStockHandler:
    def __init__(self, uow: Callable[[], CatalogUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: AdjustStock) -> ProductView:
        async with self._uow() as uow:
            product = await uow.products.get(command.product_id, for_update=True)
            product.adjust_stock(command.delta, reason=command.reason, now=self._clock.now())
            await uow.products.save(product)
            uow.publish(*integration_events(product))
            await uow.commit()
        return view(product)


class GetProductHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetProduct) -> ProductView:
        return await self._read_model.get_product(
            query.product_id, include_hidden=query.include_hidden
        )


class ListProductsHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListProducts) -> ProductPage:
        return await self._read_model.list_products(query)


class GetProductFacetsHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetProductFacets) -> ProductFacets:
        return await self._read_model.product_facets(query)


class ListCategoriesHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListCategories) -> list[CategoryView]:
        return await self._read_model.list_categories()


class GetProductsForOrderHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetProductsForOrder) -> list[ProductForOrder]:
        return await self._read_model.products_for_order(query.product_ids)


def view(product: Product) -> ProductView:
    return ProductView(
        id=product.id,
        sku=product.sku,
        name=product.name,
        description=product.description,
        category=product.category,
        price_amount=product.price.amount,
        price_currency=product.price.currency,
        stock=product.stock,
        active=product.active,
        created_at=product.created_at,
        updated_at=product.updated_at,
        version=product.version,
    )


def integration_events(product: Product) -> list[IntegrationEvent]:
    """The public events for what the product recorded since it was loaded."""
    events: list[IntegrationEvent] = []
    for event in product.pull_events():
        match event:
            case ProductCreated(at=at):
                events.append(
                    ProductCreatedV1(
                        aggregate_id=product.id,
                        aggregate_version=product.version,
                        occurred_at=at,
                        sku=product.sku,
                        name=product.name,
                        description=product.description,
                        category=product.category,
                        price_amount=product.price.amount,
                        price_currency=product.price.currency,
                        stock=product.stock,
                        active=product.active,
                    )
                )
            case ProductUpdated(at=at, fields=fields):
                events.append(
                    ProductUpdatedV1(
                        aggregate_id=product.id,
                        aggregate_version=product.version,
                        occurred_at=at,
                        changed=list(fields),
                        sku=product.sku,
                        name=product.name,
                        description=product.description,
                        category=product.category,
                        price_amount=product.price.amount,
                        price_currency=product.price.currency,
                        active=product.active,
                    )
                )
            case ProductPriceChanged(at=at, old=old, new=new):
                events.append(
                    ProductPriceChangedV1(
                        aggregate_id=product.id,
                        aggregate_version=product.version,
                        occurred_at=at,
                        sku=product.sku,
                        old_amount=old.amount,
                        old_currency=old.currency,
                        new_amount=new.amount,
                        new_currency=new.currency,
                    )
                )
            case ProductDeleted(at=at):
                events.append(
                    ProductDeletedV1(
                        aggregate_id=product.id,
                        aggregate_version=product.version,
                        occurred_at=at,
                        sku=product.sku,
                    )
                )
            case StockAdjusted(at=at, delta=delta, reason=reason):
                events.append(
                    StockAdjustedV1(
                        aggregate_id=product.id,
                        aggregate_version=product.version,
                        occurred_at=at,
                        sku=product.sku,
                        delta=delta,
                        stock=product.stock,
                        reason=reason,
                    )
                )
            case _:
                raise TypeError(f"no integration event for {type(event).__name__}")
    return events
