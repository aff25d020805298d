"""The ordering module's composition: its container, handlers on the mediator, HTTP routes,
consumer of the catalog's stock events, periodic clean-up and migrations. The only file of
the module that ``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.catalog.contracts.events import StockReservationFailedV1, StockReservedV1
from orion.modules.ordering.adapters.http.routes import ordering_blueprint
from orion.modules.ordering.adapters.sql.backlog import SqlSettlingBacklog
from orion.modules.ordering.adapters.sql.metrics import orders_probe, unsettled_probe
from orion.modules.ordering.adapters.sql.read_model import SqlOrderingReadModel
from orion.modules.ordering.adapters.sql.tables import audit, inbox, outbox
from orion.modules.ordering.adapters.sql.unit_of_work import SqlOrderingUnitOfWork
from orion.modules.ordering.application import commands, queries
from orion.modules.ordering.application.handlers import admin, carts, checkout, orders
from orion.modules.ordering.application.policies import (
    AwaitPaymentOnStockReserved,
    CancelOrderOnPaymentFailed,
    CancelOrderOnStockReservationFailed,
    MarkOrderPaidOnPaymentCaptured,
)
from orion.modules.ordering.contracts.admin import GetOrderForAdmin, ListOrdersForAdmin, MoveOrder
from orion.modules.ordering.contracts.queries import (
    GetOrderEvents,
    GetOrderStates,
    ListOrderRecords,
    ListOrdersChanged,
)
from orion.modules.ordering.settings import OrderingSettings
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentFailedV1
from orion.shared_kernel.adapters.exchange_rates import refresh_job
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, subscription
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "ordering"


class OrderingContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=OrderingSettings)

    clock = platform.provided.clock
    mediator = platform.provided.mediator
    exchange_rates = platform.provided.exchange_rates
    uow = providers.Factory(SqlOrderingUnitOfWork, engine=platform.provided.engine)
    read_model = providers.Singleton(SqlOrderingReadModel, engine=platform.provided.engine)
    backlog = providers.Singleton(
        SqlSettlingBacklog,
        engine=platform.provided.engine,
        refresh_s=settings.provided.checkout_backlog_refresh_s,
    )
    pricing = providers.Singleton(carts.CartPricing, mediator=mediator)
    open_cart = providers.Singleton(
        carts.OpenCartHandler, uow=uow.provider, clock=clock, pricing=pricing
    )
    get_cart = providers.Singleton(
        carts.GetCartHandler, uow=uow.provider, clock=clock, pricing=pricing
    )
    set_cart_item = providers.Singleton(
        carts.SetCartItemHandler, uow=uow.provider, clock=clock, pricing=pricing
    )
    remove_cart_item = providers.Singleton(
        carts.RemoveCartItemHandler, uow=uow.provider, clock=clock, pricing=pricing
    )
    clear_cart = providers.Singleton(carts.ClearCartHandler, clock=clock)
    place_order = providers.Singleton(
        checkout.IdempotentCheckout,
        handler=providers.Singleton(
            checkout.PlaceOrderHandler,
            read_model=read_model,
            clock=clock,
            mediator=mediator,
            rates=exchange_rates,
        ),
        uow=uow.provider,
        backlog=backlog,
        max_unsettled=settings.provided.checkout_max_unsettled,
    )
    cancel_order = providers.Singleton(orders.CancelOrderHandler, clock=clock)
    ship_order = providers.Singleton(orders.ShipOrderHandler, clock=clock)
    deliver_order = providers.Singleton(orders.DeliverOrderHandler, clock=clock)
    move_order = providers.Singleton(
        admin.MoveOrderHandler, ship=ship_order, deliver=deliver_order, cancel=cancel_order
    )
    clean_up = providers.Singleton(orders.CleanUpHandler, clock=clock)
    get_order = providers.Singleton(orders.GetOrderHandler, read_model=read_model)
    list_orders = providers.Singleton(orders.ListOrdersHandler, search=read_model)
    orders_changed = providers.Singleton(orders.ListOrdersChangedHandler, states=read_model)
    order_states = providers.Singleton(orders.GetOrderStatesHandler, states=read_model)
    order_events = providers.Singleton(orders.GetOrderEventsHandler, states=read_model)
    order_records = providers.Singleton(orders.ListOrderRecordsHandler, search=read_model)
    orders_for_admin = providers.Singleton(admin.ListOrdersForAdminHandler, search=read_model)
    order_for_admin = providers.Singleton(admin.GetOrderForAdminHandler, read_model=read_model)
    await_payment = providers.Singleton(AwaitPaymentOnStockReserved, clock=clock)
    cancel_out_of_stock = providers.Singleton(CancelOrderOnStockReservationFailed, clock=clock)
    mark_paid = providers.Singleton(MarkOrderPaidOnPaymentCaptured, clock=clock)
    cancel_unpaid = providers.Singleton(CancelOrderOnPaymentFailed, clock=clock)
    blueprint = providers.Singleton(
        ordering_blueprint, mediator=mediator, exchange_rates=exchange_rates
    )


class Ordering(ModuleDefinition[OrderingContainer]):
    def routes(self, c: OrderingContainer) -> list[Route]:
        """Cart handlers that answer with a priced cart, and checkout, open their own
        transactions: they ask other modules outside them (``application/handlers``)."""
        return [
            Route(commands.OpenCart, c.open_cart()),
            Route(queries.GetCart, c.get_cart()),
            Route(commands.SetCartItem, c.set_cart_item()),
            Route(commands.RemoveCartItem, c.remove_cart_item()),
            Route(commands.ClearCart, c.clear_cart(), unit_of_work=c.uow),
            Route(commands.PlaceOrder, c.place_order()),
            Route(commands.CancelOrder, c.cancel_order(), unit_of_work=c.uow),
            Route(commands.ShipOrder, c.ship_order(), unit_of_work=c.uow),
            Route(commands.DeliverOrder, c.deliver_order(), unit_of_work=c.uow),
            Route(commands.CleanUp, c.clean_up(), unit_of_work=c.uow),
            Route(queries.GetOrder, c.get_order()),
            Route(queries.ListOrders, c.list_orders()),
            Route(ListOrdersChanged, c.orders_changed()),
            Route(GetOrderStates, c.order_states()),
            Route(GetOrderEvents, c.order_events()),
            Route(ListOrderRecords, c.order_records()),
            Route(ListOrdersForAdmin, c.orders_for_admin()),
            Route(GetOrderForAdmin, c.order_for_admin()),
            Route(MoveOrder, c.move_order(), unit_of_work=c.uow),
        ]

    def subscriptions(self, c: OrderingContainer) -> list[Subscription]:
        """The catalog's answer to a placed order, and the payment's outcome: the saga."""
        on_stock: dict[type[IntegrationEvent], Policy] = {
            StockReservedV1: c.await_payment(),
            StockReservationFailedV1: c.cancel_out_of_stock(),
        }
        on_payment: dict[type[IntegrationEvent], Policy] = {
            PaymentCapturedV1: c.mark_paid(),
            PaymentFailedV1: c.cancel_unpaid(),
        }
        return [
            subscription(consumer=NAME, producer="catalog", uow=c.uow, policies=on_stock),
            subscription(consumer=NAME, producer="payments", uow=c.uow, policies=on_payment),
        ]

    def blueprints(self, c: OrderingContainer) -> list[Blueprint]:
        return [c.blueprint()]

    def periodic_jobs(self, c: OrderingContainer) -> list[PeriodicJob]:
        settings: OrderingSettings = c.settings()
        clean_up = commands.CleanUp(
            guest_cart_ttl=timedelta(days=settings.guest_cart_ttl_days),
            idempotency_key_ttl=timedelta(hours=settings.idempotency_key_ttl_hours),
        )
        mediator = c.mediator()
        return [
            PeriodicJob(
                name="ordering.clean_up",
                interval_s=settings.housekeeping_interval_s,
                run=lambda: mediator.send(clean_up),
            ),
            *refresh_job(c.exchange_rates(), settings),
        ]

    def metric_probes(self, c: OrderingContainer) -> list[Probe]:
        engine = c.platform().engine
        return [orders_probe(engine), unsettled_probe(engine, c.settings().checkout_max_unsettled)]


MODULE = Ordering(name=NAME, container=OrderingContainer, outbox=outbox, inbox=inbox, audit=audit)
