"""The catalog's composition: its container, its handlers on the mediator, its HTTP routes,
its consumers (of ordering's events, and of its own to drop cached pages), its migrations.
The only file of the catalog that ``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.catalog.adapters.cache import (
    PRODUCT_EVENTS,
    STOCK_EVENTS,
    CachedCatalogReadModel,
    stale_keys,
)
from orion.modules.catalog.adapters.http.routes import catalog_blueprint
from orion.modules.catalog.adapters.sql.read_model import SqlCatalogReadModel
from orion.modules.catalog.adapters.sql.states import SqlCatalogStates
from orion.modules.catalog.adapters.sql.tables import audit, inbox, outbox
from orion.modules.catalog.adapters.sql.unit_of_work import SqlCatalogUnitOfWork
from orion.modules.catalog.application import handlers
from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.demo import SeedDemoCatalogHandler
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
from orion.modules.catalog.contracts.commands import ReleaseReservation, SeedDemoCatalog
from orion.modules.catalog.contracts.queries import (
    GetProductsForOrder,
    GetReservationStates,
    GetStockBalances,
    ListLiveReservations,
    ListStockLevels,
    ListStockMoved,
)
from orion.modules.ordering.contracts.events import OrderCancelledV1, OrderPlacedV1
from orion.shared_kernel.adapters.cache import CacheInvalidation
from orion.shared_kernel.adapters.exchange_rates import refresh_job
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, subscription
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.settings import PlatformSettings
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "catalog"


class CatalogContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=PlatformSettings)

    clock = platform.provided.clock
    cache = providers.Singleton(Platform.cache, platform, NAME)
    invalidation = providers.Singleton(
        CacheInvalidation, cache=cache, keys=providers.Object(stale_keys)
    )
    uow = providers.Factory(
        SqlCatalogUnitOfWork,
        engine=platform.provided.engine,
        after_commit=invalidation.provided.after_commit,
    )
    read_model = providers.Singleton(
        CachedCatalogReadModel,
        inner=providers.Singleton(SqlCatalogReadModel, engine=platform.provided.engine),
        cache=cache,
    )
    create_product = providers.Singleton(handlers.CreateProductHandler, clock=clock)
    update_product = providers.Singleton(handlers.UpdateProductHandler, clock=clock)
    delete_product = providers.Singleton(handlers.DeleteProductHandler, clock=clock)
    adjust_stock = providers.Singleton(handlers.AdjustStockHandler, clock=clock)
    release_reservation = providers.Singleton(handlers.ReleaseReservationHandler, clock=clock)
    get_product = providers.Singleton(handlers.GetProductHandler, read_model=read_model)
    list_products = providers.Singleton(handlers.ListProductsHandler, read_model=read_model)
    product_facets = providers.Singleton(handlers.GetProductFacetsHandler, read_model=read_model)
    list_categories = providers.Singleton(handlers.ListCategoriesHandler, read_model=read_model)
    stock_levels = providers.Singleton(handlers.ListStockLevelsHandler, read_model=read_model)
    products_for_order = providers.Singleton(
        handlers.GetProductsForOrderHandler, read_model=read_model
    )
    catalog_states = providers.Singleton(SqlCatalogStates, engine=platform.provided.engine)
    live_reservations = providers.Singleton(
        handlers.ListLiveReservationsHandler, states=catalog_states
    )
    get_reservation_states = providers.Singleton(
        handlers.GetReservationStatesHandler, states=catalog_states
    )
    stock_moved = providers.Singleton(handlers.ListStockMovedHandler, states=catalog_states)
    stock_balances = providers.Singleton(handlers.GetStockBalancesHandler, states=catalog_states)
    seed_demo = providers.Singleton(SeedDemoCatalogHandler, mediator=platform.provided.mediator)
    reserve_stock = providers.Singleton(ReserveStockOnOrderPlaced, clock=clock)
    release_stock = providers.Singleton(ReleaseStockOnOrderCancelled, clock=clock)
    blueprint = providers.Singleton(
        catalog_blueprint,
        mediator=platform.provided.mediator,
        exchange_rates=platform.provided.exchange_rates,
    )


class Catalog(ModuleDefinition[CatalogContainer]):
    def routes(self, c: CatalogContainer) -> list[Route]:
        return [
            Route(CreateProduct, c.create_product(), unit_of_work=c.uow),
            Route(UpdateProduct, c.update_product(), unit_of_work=c.uow),
            Route(DeleteProduct, c.delete_product(), unit_of_work=c.uow),
            Route(AdjustStock, c.adjust_stock(), unit_of_work=c.uow),
            Route(ReleaseReservation, c.release_reservation(), unit_of_work=c.uow),
            Route(GetProduct, c.get_product()),
            Route(ListProducts, c.list_products()),
            Route(GetProductFacets, c.product_facets()),
            Route(ListCategories, c.list_categories()),
            Route(GetProductsForOrder, c.products_for_order()),
            Route(ListLiveReservations, c.live_reservations()),
            Route(GetReservationStates, c.get_reservation_states()),
            Route(ListStockMoved, c.stock_moved()),
            Route(GetStockBalances, c.stock_balances()),
            Route(ListStockLevels, c.stock_levels()),
            Route(SeedDemoCatalog, c.seed_demo()),
        ]

    def subscriptions(self, c: CatalogContainer) -> list[Subscription]:
        """Ordering's placed and cancelled orders (the catalog's side of the order saga), and
        the catalog's own product and stock events (each drops the pages it made stale)."""
        invalidation = c.invalidation()
        saga: dict[type[IntegrationEvent], Policy] = {
            OrderPlacedV1: c.reserve_stock(),
            OrderCancelledV1: c.release_stock(),
        }
        own: dict[type[IntegrationEvent], Policy] = {
            event: invalidation for event in (*PRODUCT_EVENTS, *STOCK_EVENTS)
        }
        return [
            subscription(consumer=NAME, producer="ordering", uow=c.uow, policies=saga),
            subscription(consumer=NAME, producer=NAME, uow=c.uow, policies=own),
        ]

    def blueprints(self, c: CatalogContainer) -> list[Blueprint]:
        return [c.blueprint()]

    def periodic_jobs(self, c: CatalogContainer) -> list[PeriodicJob]:
        return refresh_job(c.platform().exchange_rates, c.settings())


MODULE = Catalog(name=NAME, container=CatalogContainer, outbox=outbox, inbox=inbox, audit=audit)
