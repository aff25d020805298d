"""The ordering module's composition: its container, handlers on the mediator, HTTP routes,
consumer of the catalog's stock events, periodic clean-up and migrations. The only file of
the module that ``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.catalog.contracts.events import StockReservationFailedV1, StockReservedV1
from orion.modules.ordering.adapters.http.routes import ordering_blueprint
from orion.modules.ordering.adapters.sql.metrics import orders_probe
from orion.modules.ordering.adapters.sql.read_model import SqlOrderingReadModel
from orion.modules.ordering.adapters.sql.tables import inbox, outbox
from orion.modules.ordering.adapters.sql.unit_of_work import SqlOrderingUnitOfWork
from orion.modules.ordering.application import commands, queries
from orion.modules.ordering.application.handlers import CartHandlers, OrderHandlers
from orion.modules.ordering.application.policies import (
    AdvanceOrderOnPaymentEvents,
    AdvanceOrderOnStockEvents,
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
    carts = providers.Singleton(CartHandlers, uow=uow.provider, clock=clock, mediator=mediator)
    orders = providers.Singleton(
        OrderHandlers,
        uow=uow.provider,
        read_model=read_model,
        clock=clock,
        mediator=mediator,
        exchange_rates=exchange_rates,
    )
    stock_policy = providers.Singleton(AdvanceOrderOnStockEvents, clock=clock)
    payment_policy = providers.Singleton(AdvanceOrderOnPaymentEvents, clock=clock)
    blueprint = providers.Singleton(
        ordering_blueprint, mediator=mediator, exchange_rates=exchange_rates
    )


class Ordering(ModuleDefinition[OrderingContainer]):
    def routes(self, c: OrderingContainer) -> list[Route]:
        carts: CartHandlers = c.carts()
        orders: OrderHandlers = c.orders()
        return [
            Route(commands.OpenCart, carts.open_cart),
            Route(queries.GetCart, carts.get_cart),
            Route(commands.SetCartItem, carts.set_item),
            Route(commands.RemoveCartItem, carts.remove_item),
            Route(commands.ClearCart, carts.clear),
            Route(commands.PlaceOrder, orders.place_order),
            Route(commands.CancelOrder, orders.cancel),
            Route(commands.ShipOrder, orders.ship),
            Route(commands.DeliverOrder, orders.deliver),
            Route(commands.CleanUp, orders.clean_up),
            Route(queries.GetOrder, orders.get_order),
            Route(queries.ListOrders, orders.list_orders),
        ]

    def subscriptions(self, c: OrderingContainer) -> list[Subscription]:
        """The catalog's answer to a placed order, and the payment's outcome: the saga."""
        stock: AdvanceOrderOnStockEvents = c.stock_policy()
        payment: AdvanceOrderOnPaymentEvents = c.payment_policy()
        on_stock: dict[type[IntegrationEvent], Policy] = {
            StockReservedV1: stock.on_stock_reserved,
            StockReservationFailedV1: stock.on_stock_reservation_failed,
        }
        on_payment: dict[type[IntegrationEvent], Policy] = {
            PaymentCapturedV1: payment.on_payment_captured,
            PaymentFailedV1: payment.on_payment_failed,
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
        return [orders_probe(c.platform().engine)]


MODULE = Ordering(name=NAME, container=OrderingContainer, outbox=outbox, inbox=inbox)
