"""The catalog's composition: its container, its handlers on the mediator, its HTTP routes,
its consumers (of ordering's events, and of its own to drop cached pages), its migrations.
The only file of the catalog that ``bootstrap.py`` imports."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers
from quart import Blueprint
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog.adapters.cache import (
    PRODUCT_EVENTS,
    STOCK_EVENTS,
    CachedCatalogReadModel,
    stale_keys,
)
from orion.modules.catalog.adapters.http.routes import catalog_blueprint
from orion.modules.catalog.adapters.sql.read_model import SqlCatalogReadModel
from orion.modules.catalog.adapters.sql.tables import inbox, outbox
from orion.modules.catalog.adapters.sql.unit_of_work import SqlCatalogUnitOfWork
from orion.modules.catalog.application import handlers
from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.demo import seed_demo_catalog
from orion.modules.catalog.application.policies import (
    ReleaseStockOnOrderCancelled,
    ReserveStockOnOrderPlaced,
)
from orion.modules.catalog.application.queries import (
    GetProduct,
    GetProductFacets,
    ListCategories,
    ListProducts,
)
from orion.modules.catalog.contracts.queries import GetProductsForOrder
from orion.modules.ordering.contracts.events import OrderCancelledV1, OrderPlacedV1
from orion.shared_kernel.adapters.cache import CacheInvalidation, ReadThroughCache
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, inbox_handler
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "catalog"
OUTBOX = outbox
INBOX = inbox
MIGRATIONS = ModuleMigrations(
    schema="catalog", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


class CatalogContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    clock: providers.Dependency[Clock] = providers.Dependency()
    mediator = providers.Dependency(instance_of=InProcessMediator)
    exchange_rates = providers.Dependency(instance_of=CurrencyConverter)
    cache = providers.Dependency(instance_of=ReadThroughCache)

    invalidation = providers.Singleton(
        CacheInvalidation, cache=cache, keys=providers.Object(stale_keys)
    )
    uow = providers.Factory(
        SqlCatalogUnitOfWork, engine=engine, after_commit=invalidation.provided.after_commit
    )
    read_model = providers.Singleton(
        CachedCatalogReadModel,
        inner=providers.Singleton(SqlCatalogReadModel, engine=engine),
        cache=cache,
    )

    handlers = providers.Dict(
        {
            CreateProduct: providers.Singleton(
                handlers.CreateProductHandler, uow=uow.provider, clock=clock
            ),
            UpdateProduct: providers.Singleton(
                handlers.UpdateProductHandler, uow=uow.provider, clock=clock
            ),
            DeleteProduct: providers.Singleton(
                handlers.DeleteProductHandler, uow=uow.provider, clock=clock
            ),
            AdjustStock: providers.Singleton(
                handlers.AdjustStockHandler, uow=uow.provider, clock=clock
            ),
            GetProduct: providers.Singleton(handlers.GetProductHandler, read_model=read_model),
            ListProducts: providers.Singleton(handlers.ListProductsHandler, read_model=read_model),
            GetProductFacets: providers.Singleton(
                handlers.GetProductFacetsHandler, read_model=read_model
            ),
            ListCategories: providers.Singleton(
                handlers.ListCategoriesHandler, read_model=read_model
            ),
            GetProductsForOrder: providers.Singleton(
                handlers.GetProductsForOrderHandler, read_model=read_model
            ),
        }
    )
    blueprint = providers.Singleton(
        catalog_blueprint, mediator=mediator, exchange_rates=exchange_rates
    )
    reserve_stock = providers.Singleton(ReserveStockOnOrderPlaced, clock=clock)
    release_stock = providers.Singleton(ReleaseStockOnOrderCancelled, clock=clock)


def subscriptions(container: CatalogContainer) -> list[Subscription]:
    """Ordering's placed and cancelled orders (the catalog's side of the order saga), and the
    catalog's own product and stock events (each drops the cached pages it made stale)."""
    saga: dict[type[IntegrationEvent], Policy] = {
        OrderPlacedV1: container.reserve_stock(),
        OrderCancelledV1: container.release_stock(),
    }
    invalidation = container.invalidation()
    own: dict[type[IntegrationEvent], Policy] = {
        event_type: invalidation for event_type in (*PRODUCT_EVENTS, *STOCK_EVENTS)
    }
    return [
        Subscription(
            consumer=NAME,
            producer=producer,
            types=frozenset(event_type.wire_name for event_type in policies),
            handle=inbox_handler(consumer=NAME, uow=container.uow, policies=policies),
        )
        for producer, policies in (("ordering", saga), (NAME, own))
    ]


def register(container: CatalogContainer, mediator: InProcessMediator) -> None:
    for message_type, handler in container.handlers().items():
        mediator.register(message_type, handler)


def blueprints(container: CatalogContainer) -> list[Blueprint]:
    return [container.blueprint()]


__all__ = [
    "INBOX",
    "MIGRATIONS",
    "NAME",
    "OUTBOX",
    "CatalogContainer",
    "blueprints",
    "register",
    "seed_demo_catalog",
    "subscriptions",
]
