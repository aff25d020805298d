"""The ordering module's composition: its container, handlers on the mediator, HTTP routes,
consumer of the catalog's stock events, periodic clean-up and migrations. The only file of
the module that ``bootstrap.py`` imports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers
from quart import Blueprint
from sqlalchemy.ext.asyncio import AsyncEngine

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
from orion.modules.payments.contracts.events import PaymentCapturedV1, PaymentFailedV1
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, inbox_handler
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "ordering"
OUTBOX = outbox
INBOX = inbox
MIGRATIONS = ModuleMigrations(
    schema="ordering", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


class OrderingContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    clock: providers.Dependency[Clock] = providers.Dependency()
    mediator = providers.Dependency(instance_of=InProcessMediator)
    exchange_rates = providers.Dependency(instance_of=CurrencyConverter)
    config = providers.Configuration(strict=True)

    uow = providers.Factory(SqlOrderingUnitOfWork, engine=engine)
    read_model = providers.Singleton(SqlOrderingReadModel, engine=engine)
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


def register(container: OrderingContainer, mediator: InProcessMediator) -> None:
    carts: CartHandlers = container.carts()
    orders: OrderHandlers = container.orders()
    routes: dict[type, Callable[[Any], Awaitable[Any]]] = {
        commands.OpenCart: carts.open_cart,
        queries.GetCart: carts.get_cart,
        commands.SetCartItem: carts.set_item,
        commands.RemoveCartItem: carts.remove_item,
        commands.ClearCart: carts.clear,
        commands.PlaceOrder: orders.place_order,
        commands.CancelOrder: orders.cancel,
        commands.ShipOrder: orders.ship,
        commands.DeliverOrder: orders.deliver,
        commands.CleanUp: orders.clean_up,
        queries.GetOrder: orders.get_order,
        queries.ListOrders: orders.list_orders,
    }
    for message_type, handler in routes.items():
        mediator.register(message_type, handler)


def subscriptions(container: OrderingContainer) -> list[Subscription]:
    stock: AdvanceOrderOnStockEvents = container.stock_policy()
    payment: AdvanceOrderOnPaymentEvents = container.payment_policy()
    by_producer: dict[str, Mapping[type[IntegrationEvent], Policy]] = {
        "catalog": {
            StockReservedV1: stock.on_stock_reserved,
            StockReservationFailedV1: stock.on_stock_reservation_failed,
        },
        "payments": {
            PaymentCapturedV1: payment.on_payment_captured,
            PaymentFailedV1: payment.on_payment_failed,
        },
    }
    return [
        Subscription(
            consumer=NAME,
            producer=producer,
            types=frozenset(event_type.wire_name for event_type in policies),
            handle=inbox_handler(consumer=NAME, uow=container.uow, policies=policies),
        )
        for producer, policies in by_producer.items()
    ]


def periodic(container: OrderingContainer, mediator: InProcessMediator) -> list[PeriodicJob]:
    config = container.config
    clean_up = commands.CleanUp(
        guest_cart_ttl=timedelta(days=config.guest_cart_ttl_days()),
        idempotency_key_ttl=timedelta(hours=config.idempotency_key_ttl_hours()),
    )
    return [
        PeriodicJob(
            name="ordering.clean_up",
            interval_s=config.housekeeping_interval_s(),
            run=lambda: mediator.send(clean_up),
        )
    ]


def blueprints(container: OrderingContainer) -> list[Blueprint]:
    return [container.blueprint()]


def metric_probes(container: OrderingContainer) -> list[Probe]:
    return [orders_probe(container.engine())]
