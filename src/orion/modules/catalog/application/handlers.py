"""The catalog's use cases, one handler per message. Each command handler is transactional:
the mediator opens the unit of work it is given and commits it after, so the product row and
the events its changes recorded (``events.py``) commit together."""

from __future__ import annotations

import uuid

from orion.modules.catalog.contracts.commands import ReleaseReservation
from orion.modules.catalog.contracts.queries import (
    GetProductsForOrder,
    GetReservationStates,
    GetStockBalances,
    ListLiveReservations,
    ListStockLevels,
    ListStockMoved,
    ProductForOrder,
    ReservationState,
    StockBalance,
    StockLevel,
)
from orion.modules.catalog.domain.errors import StaleProduct
from orion.modules.catalog.domain.product import Product, ProductChanges
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.domain.ids import new_id
from orion.shared_kernel.domain.money import Money

from .commands import AdjustStock, CreateProduct, DeleteProduct, UpdateProduct
from .policies import release
from .ports import CatalogReadModel, CatalogStates, CatalogUnitOfWork
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
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: CreateProduct, uow: CatalogUnitOfWork) -> ProductView:
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
        await uow.products.add(product)
        return view(product)


class UpdateProductHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: UpdateProduct, uow: CatalogUnitOfWork) -> ProductView:
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
        return view(product)


class DeleteProductHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: DeleteProduct, uow: CatalogUnitOfWork) -> None:
        product = await uow.products.get(command.product_id)
        if command.expected_version not in (None, product.version):
            raise StaleProduct(
                f"product {product.id} is at version {product.version}, "
                f"not {command.expected_version}"
            )
        product.delete(now=self._clock.now())
        await uow.products.save(product)


class AdjustStockHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: AdjustStock, uow: CatalogUnitOfWork) -> ProductView:
        product = await uow.products.get(command.product_id, for_update=True)
        product.adjust_stock(command.delta, reason=command.reason, now=self._clock.now())
        await uow.products.save(product)
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


class ReleaseReservationHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: ReleaseReservation, uow: CatalogUnitOfWork) -> bool:
        reservation = await uow.reservations.get(command.order_id)
        if reservation is None:
            return False
        return await release(uow, reservation, now=self._clock.now())


class ListLiveReservationsHandler:
    def __init__(self, states: CatalogStates) -> None:
        self._states = states

    async def __call__(self, query: ListLiveReservations) -> list[ReservationState]:
        return await self._states.live(query.window)


class GetReservationStatesHandler:
    def __init__(self, states: CatalogStates) -> None:
        self._states = states

    async def __call__(self, query: GetReservationStates) -> list[ReservationState]:
        return await self._states.of_orders(query.order_ids)


class ListStockMovedHandler:
    def __init__(self, states: CatalogStates) -> None:
        self._states = states

    async def __call__(self, query: ListStockMoved) -> list[uuid.UUID]:
        return await self._states.moved(query.since, query.before)


class GetStockBalancesHandler:
    def __init__(self, states: CatalogStates) -> None:
        self._states = states

    async def __call__(self, query: GetStockBalances) -> list[StockBalance]:
        return await self._states.balances(query.product_ids)


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


class ListStockLevelsHandler:
    def __init__(self, read_model: CatalogReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListStockLevels) -> list[StockLevel]:
        return await self._read_model.stock_levels(query)
