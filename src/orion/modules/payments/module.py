"""The payments module's composition: the provider gateway (simulated or HTTP, behind
retries and a circuit breaker), its consumer of ordering's events, reconciliation, its
queries and migrations. The only file of the module that ``bootstrap.py`` imports: it exports
``MODULE``."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

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
from orion.modules.payments.application.handlers import (
    GetOrderPaymentHandler,
    GetPaymentStatesHandler,
    ListPaymentRecordsHandler,
    ListPaymentsChangedHandler,
    ReconcileHandler,
    RefundCapturedPaymentHandler,
)
from orion.modules.payments.application.policies import (
    ChargeOnOrderAwaitingPayment,
    RefundOnOrderCancelled,
)
from orion.modules.payments.application.settlement import CONSUMER, Settlement
from orion.modules.payments.contracts.commands import Reconcile, RefundCapturedPayment
from orion.modules.payments.contracts.queries import (
    GetOrderPayment,
    GetPaymentStates,
    ListPaymentRecords,
    ListPaymentsChanged,
)
from orion.modules.payments.settings import PaymentsSettings
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Reaction, message_handler
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.module import CircuitState, ModuleDefinition, Platform, Route
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.settings import reveal
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "payments"


def provider_gateway(settings: PaymentsSettings) -> SimulatedGateway | HttpGateway:
    """The provider the settings name (``ORION_PAYMENT_GATEWAY``)."""
    if settings.payment_gateway == "simulated":
        return SimulatedGateway(timeout_s=settings.payment_read_timeout_s)
    if settings.payment_provider_url is None or settings.payment_provider_key is None:
        raise ValueError("ORION_PAYMENT_GATEWAY=http needs ORION_PAYMENT_PROVIDER_URL and _KEY")
    return HttpGateway(
        base_url=settings.payment_provider_url,
        api_key=settings.payment_provider_key.get_secret_value(),
        connect_timeout_s=settings.payment_connect_timeout_s,
        read_timeout_s=settings.payment_read_timeout_s,
    )


def charge_window(settings: PaymentsSettings) -> timedelta:
    """The longest a charge call may take, retries included, twice over."""
    budget = settings.payment_retry_budget_s
    return timedelta(
        seconds=2 * (budget + settings.payment_connect_timeout_s + settings.payment_read_timeout_s)
    )


class PaymentsContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=PaymentsSettings)

    clock = platform.provided.clock
    uow = providers.Factory(SqlPaymentsUnitOfWork, engine=platform.provided.engine)
    read_model = providers.Singleton(SqlPaymentsReadModel, engine=platform.provided.engine)
    upstream = providers.Singleton(provider_gateway, settings)  # `gateway` adds resilience
    circuit_breakers = providers.Singleton(
        breakers,
        redis_url=providers.Callable(reveal, settings.provided.redis_url),
        threshold=settings.provided.payment_breaker_threshold,
        ttl_s=settings.provided.payment_breaker_ttl_s,
    )
    gateway = providers.Singleton(
        ResilientGateway,
        inner=upstream,
        breakers=circuit_breakers,
        max_attempts=settings.provided.payment_max_attempts,
        time_budget_s=settings.provided.payment_retry_budget_s,
    )
    settlement = providers.Singleton(
        Settlement,
        uow=uow.provider,
        gateway=gateway,
        clock=clock,
        charge_window=providers.Callable(charge_window, settings),
    )
    charge_on_awaiting_payment = providers.Singleton(
        ChargeOnOrderAwaitingPayment, settlement=settlement, clock=clock
    )
    refund_on_cancelled = providers.Singleton(
        RefundOnOrderCancelled, settlement=settlement, clock=clock
    )
    reconcile = providers.Singleton(
        ReconcileHandler, uow=uow.provider, settlement=settlement, clock=clock
    )
    refund_capture = providers.Singleton(
        RefundCapturedPaymentHandler, uow=uow.provider, settlement=settlement, clock=clock
    )
    get_order_payment = providers.Singleton(GetOrderPaymentHandler, read_model=read_model)
    payments_changed = providers.Singleton(ListPaymentsChangedHandler, read_model=read_model)
    payment_states = providers.Singleton(GetPaymentStatesHandler, read_model=read_model)
    payment_records = providers.Singleton(ListPaymentRecordsHandler, read_model=read_model)


class Payments(ModuleDefinition[PaymentsContainer]):
    def routes(self, c: PaymentsContainer) -> list[Route]:
        """None is transactional: reconciliation and the refund call the provider between
        their transactions, and the queries read through the read model."""
        return [
            Route(GetOrderPayment, c.get_order_payment()),
            Route(ListPaymentsChanged, c.payments_changed()),
            Route(GetPaymentStates, c.payment_states()),
            Route(ListPaymentRecords, c.payment_records()),
            Route(Reconcile, c.reconcile()),
            Route(RefundCapturedPayment, c.refund_capture()),
        ]

    def subscriptions(self, c: PaymentsContainer) -> list[Subscription]:
        """Ordering's orders awaiting payment (charge) and cancelled (refund or void); the
        provider is called outside any transaction, so no inbox transaction wraps them: each
        policy records its message in the inbox itself, last (``policies.py``)."""
        reactions: dict[type[IntegrationEvent], Reaction] = {
            OrderAwaitingPaymentV1: c.charge_on_awaiting_payment(),
            OrderCancelledV1: c.refund_on_cancelled(),
        }
        return [
            Subscription(
                consumer=CONSUMER,
                producer="ordering",
                types=frozenset(event.wire_name for event in reactions),
                handle=message_handler(consumer=CONSUMER, reactions=reactions),
            )
        ]

    def periodic_jobs(self, c: PaymentsContainer) -> list[PeriodicJob]:
        settings: PaymentsSettings = c.settings()
        reconcile = Reconcile(
            after=timedelta(seconds=settings.payment_reconcile_after_s),
            give_up_after=timedelta(seconds=settings.payment_give_up_after_s),
        )
        mediator = c.platform().mediator
        return [
            PeriodicJob(
                name="payments.reconcile",
                interval_s=settings.housekeeping_interval_s,
                run=lambda: mediator.send(reconcile),
            )
        ]

    def metric_probes(self, c: PaymentsContainer) -> list[Probe]:
        return [payments_probe(c.platform().engine)]

    def circuits(self, c: PaymentsContainer) -> dict[str, CircuitState]:
        """The provider's circuit breaker, read from the breakers' store at each scrape."""
        return {"payments.provider": c.gateway().circuit_state}

    async def close(self, c: PaymentsContainer) -> None:
        """Closes the connections to the provider and to the breakers' Redis."""
        gateway = c.upstream()
        if isinstance(gateway, HttpGateway):
            await gateway.aclose()
        await close_breakers(c.circuit_breakers())


MODULE = Payments(name=NAME, container=PaymentsContainer, outbox=outbox, inbox=inbox)
