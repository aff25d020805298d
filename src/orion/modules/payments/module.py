"""The payments module's composition: the provider gateway (simulated or HTTP, behind
retries and a circuit breaker), its consumer of ordering's events, reconciliation, its
queries and migrations. The only file of the module that ``bootstrap.py`` imports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.ordering.contracts.events import OrderAwaitingPaymentV1, OrderCancelledV1
from orion.modules.payments.adapters.gateway.http import HttpGateway
from orion.modules.payments.adapters.gateway.resilient import (
    ResilientGateway,
    breakers,
    close_breakers,
)
from orion.modules.payments.adapters.gateway.simulated import SimulatedGateway
from orion.modules.payments.adapters.sql.metrics import payments_probe
from orion.modules.payments.adapters.sql.read_model import SqlPaymentsReadModel
from orion.modules.payments.adapters.sql.tables import inbox, outbox
from orion.modules.payments.adapters.sql.unit_of_work import SqlPaymentsUnitOfWork
from orion.modules.payments.application.commands import Reconcile
from orion.modules.payments.application.process import CONSUMER, PaymentProcess
from orion.modules.payments.application.queries import PaymentQueries
from orion.modules.payments.contracts.queries import GetOrderPayment
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import message_handler
from orion.shared_kernel.adapters.messaging.envelope import Envelope
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application.clock import Clock

NAME = "payments"
OUTBOX = outbox
INBOX = inbox
MIGRATIONS = ModuleMigrations(
    schema="payments", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


def provider_gateway(
    *,
    kind: str,
    provider_url: str | None,
    provider_key: str | None,
    connect_timeout_s: float,
    read_timeout_s: float,
) -> SimulatedGateway | HttpGateway:
    """The provider the settings name (``ORION_PAYMENT_GATEWAY``)."""
    if kind == "simulated":
        return SimulatedGateway(timeout_s=read_timeout_s)
    if provider_url is None or provider_key is None:
        raise ValueError("ORION_PAYMENT_GATEWAY=http needs ORION_PAYMENT_PROVIDER_URL and _KEY")
    return HttpGateway(
        base_url=provider_url,
        api_key=provider_key,
        connect_timeout_s=connect_timeout_s,
        read_timeout_s=read_timeout_s,
    )


class PaymentsContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    clock: providers.Dependency[Clock] = providers.Dependency()
    config = providers.Configuration(strict=True)

    uow = providers.Factory(SqlPaymentsUnitOfWork, engine=engine)
    read_model = providers.Singleton(SqlPaymentsReadModel, engine=engine)
    upstream = providers.Singleton(  # the provider itself; `gateway` adds resilience
        provider_gateway,
        kind=config.gateway,
        provider_url=config.provider_url,
        provider_key=config.provider_key,
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.read_timeout_s,
    )
    circuit_breakers = providers.Singleton(
        breakers,
        redis_url=config.redis_url,
        threshold=config.breaker_threshold,
        ttl_s=config.breaker_ttl_s,
    )
    gateway = providers.Singleton(
        ResilientGateway,
        inner=upstream,
        breakers=circuit_breakers,
        max_attempts=config.max_attempts,
        time_budget_s=config.retry_budget_s,
    )
    process = providers.Singleton(
        PaymentProcess,
        uow=uow.provider,
        gateway=gateway,
        clock=clock,
        charge_window=providers.Callable(
            lambda budget, connect, read: timedelta(seconds=2 * (budget + connect + read)),
            config.retry_budget_s,
            config.connect_timeout_s,
            config.read_timeout_s,
        ),
    )
    queries = providers.Singleton(PaymentQueries, read_model=read_model)


def register(container: PaymentsContainer, mediator: InProcessMediator) -> None:
    mediator.register(GetOrderPayment, container.queries().get_order_payment)
    mediator.register(Reconcile, lambda command: container.process().reconcile(command))


def subscriptions(container: PaymentsContainer) -> list[Subscription]:
    async def awaiting_payment(event: OrderAwaitingPaymentV1, envelope: Envelope) -> None:
        await container.process().on_order_awaiting_payment(
            event, message_id=envelope.message_id, message_type=envelope.type
        )

    async def cancelled(event: OrderCancelledV1, envelope: Envelope) -> None:
        await container.process().on_order_cancelled(
            event, message_id=envelope.message_id, message_type=envelope.type
        )

    return [
        Subscription(
            consumer=CONSUMER,
            producer="ordering",
            types=frozenset({OrderAwaitingPaymentV1.wire_name, OrderCancelledV1.wire_name}),
            handle=message_handler(
                consumer=CONSUMER,
                reactions={OrderAwaitingPaymentV1: awaiting_payment, OrderCancelledV1: cancelled},
            ),
        )
    ]


async def close(container: PaymentsContainer) -> None:
    """Closes the connections to the provider and to the breakers' Redis."""
    gateway = container.upstream()
    if isinstance(gateway, HttpGateway):
        await gateway.aclose()
    await close_breakers(container.circuit_breakers())


def periodic(container: PaymentsContainer, mediator: InProcessMediator) -> list[PeriodicJob]:
    config = container.config
    reconcile = Reconcile(
        after=timedelta(seconds=config.reconcile_after_s()),
        give_up_after=timedelta(seconds=config.give_up_after_s()),
    )
    return [
        PeriodicJob(
            name="payments.reconcile",
            interval_s=config.housekeeping_interval_s(),
            run=lambda: mediator.send(reconcile),
        )
    ]


def metric_probes(container: PaymentsContainer) -> list[Probe]:
    """The payments by status."""
    return [payments_probe(container.engine())]


def circuits(container: PaymentsContainer) -> dict[str, Callable[[], Awaitable[str]]]:
    """The provider's circuit breaker, read from the breakers' store at each scrape."""
    gateway: ResilientGateway = container.gateway()
    return {"payments.provider": gateway.circuit_state}
