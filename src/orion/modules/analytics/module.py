"""The analytics module's composition: its consumers of ordering's, payments', identity's and
the catalog's events (each recording facts through the inbox), the overview query and the
rebuild on the mediator, its migrations. The only file of the module that ``bootstrap.py``
imports: it exports ``MODULE``."""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import containers, providers

from orion.modules.analytics.adapters.sql.read_model import SqlAnalyticsReadModel
from orion.modules.analytics.adapters.sql.tables import inbox, outbox
from orion.modules.analytics.adapters.sql.unit_of_work import SqlAnalyticsUnitOfWork
from orion.modules.analytics.application import policies
from orion.modules.analytics.application.handlers import (
    GetOverviewHandler,
    RebuildAnalyticsHandler,
)
from orion.modules.analytics.contracts.commands import RebuildAnalytics
from orion.modules.analytics.contracts.queries import GetOverview
from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductUpdatedV1,
    StockAdjustedV1,
    StockReleasedV1,
    StockReservedV1,
)
from orion.modules.identity.contracts.events import UserRegisteredV1
from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderDeliveredV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.modules.payments.contracts.events import (
    PaymentCapturedV1,
    PaymentFailedV1,
    PaymentRefundedV1,
)
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, subscription
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "analytics"


class AnalyticsContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=object)  # the module has none of its own

    uow = providers.Factory(SqlAnalyticsUnitOfWork, engine=platform.provided.engine)
    read_model = providers.Singleton(SqlAnalyticsReadModel, engine=platform.provided.engine)
    get_overview = providers.Singleton(GetOverviewHandler, read_model=read_model)
    rebuild = providers.Singleton(
        RebuildAnalyticsHandler,
        mediator=platform.provided.mediator,
        unit_of_work=uow.provider,
    )


class Analytics(ModuleDefinition[AnalyticsContainer]):
    def routes(self, c: AnalyticsContainer) -> list[Route]:
        """The rebuild opens its own transaction, after its reads of other modules."""
        return [Route(GetOverview, c.get_overview()), Route(RebuildAnalytics, c.rebuild())]

    def policies(self) -> dict[str, Mapping[type[IntegrationEvent], Policy]]:
        """By producer, each event the module records and the policy that records it."""
        return {
            "ordering": {
                OrderPlacedV1: policies.RecordOrderOnOrderPlaced(),
                OrderAwaitingPaymentV1: policies.RecordMoveOnOrderMoved("awaiting_payment"),
                OrderPaidV1: policies.RecordMoveOnOrderMoved("paid"),
                OrderShippedV1: policies.RecordMoveOnOrderMoved("shipped"),
                OrderDeliveredV1: policies.RecordMoveOnOrderMoved("delivered"),
                OrderCancelledV1: policies.RecordCancellationOnOrderCancelled(),
            },
            "payments": {
                PaymentCapturedV1: policies.RecordPaymentOnPaymentCaptured(),
                PaymentFailedV1: policies.RecordDeclineOnPaymentFailed(),
                PaymentRefundedV1: policies.RecordRefundOnPaymentRefunded(),
            },
            "identity": {UserRegisteredV1: policies.RecordCustomerOnUserRegistered()},
            "catalog": {
                ProductCreatedV1: policies.RecordProductOnProductCreated(),
                ProductUpdatedV1: policies.RecordProductOnProductUpdated(),
                ProductDeletedV1: policies.RecordDeletionOnProductDeleted(),
                StockAdjustedV1: policies.RecordStockOnStockAdjusted(),
                StockReservedV1: policies.RecordStockOnStockReserved(),
                StockReleasedV1: policies.RecordStockOnStockReleased(),
            },
        }

    def subscriptions(self, c: AnalyticsContainer) -> list[Subscription]:
        return [
            subscription(consumer=NAME, producer=producer, uow=c.uow, policies=reactions)
            for producer, reactions in self.policies().items()
        ]


MODULE = Analytics(name=NAME, container=AnalyticsContainer, outbox=outbox, inbox=inbox)
