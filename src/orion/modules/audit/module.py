"""The audit module's composition: its invariants (each asking other modules through their
contracts on the mediator), its run and repair handlers, the periodic audit, its metrics and
migrations. The only file of the module that ``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from orion.modules.audit.adapters.sql.status import SqlAuditStatus, audit_probe
from orion.modules.audit.adapters.sql.store import SqlAuditStore
from orion.modules.audit.adapters.sql.tables import inbox, outbox
from orion.modules.audit.application.handlers import (
    Auditor,
    Fix,
    GetAuditStatusHandler,
    RepairInvariantHandler,
    RunAuditHandler,
)
from orion.modules.audit.application.invariants import (
    MessagesFlowing,
    OrderEmails,
    StockLedger,
    order_payment,
    reservation_release,
)
from orion.modules.audit.contracts.commands import INVARIANTS, RepairInvariant, RunAudit
from orion.modules.audit.contracts.queries import GetAuditStatus
from orion.modules.audit.settings import AuditSettings
from orion.modules.catalog.contracts.commands import ReleaseReservation
from orion.modules.payments.contracts.commands import RefundCapturedPayment
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.adapters.periodic import PeriodicJob

NAME = "audit"


# The mechanical repairs, by invariant and problem: each a command of the owning module.
FIXES: dict[str, dict[str, Fix]] = {
    "order_payment": {
        "captured_for_cancelled_order": lambda order: RefundCapturedPayment(order_id=order),
    },
    "reservation_release": {
        "reserved_for_cancelled_order": lambda order: ReleaseReservation(order_id=order),
        "reserved_without_order": lambda order: ReleaseReservation(order_id=order),
    },
}


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


class AuditContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=AuditSettings)

    mediator = platform.provided.mediator
    auditor = providers.Singleton(
        Auditor,
        invariants=providers.List(
            providers.Singleton(order_payment),
            providers.Singleton(reservation_release),
            providers.Singleton(StockLedger),
            providers.Singleton(OrderEmails),
            providers.Singleton(
                MessagesFlowing,
                pending_bound=providers.Callable(seconds, settings.provided.audit_pending_bound_s),
                parked_bound=providers.Callable(seconds, settings.provided.audit_parked_bound_s),
            ),
        ),
        mediator=mediator,
        store=providers.Singleton(SqlAuditStore, engine=platform.provided.engine),
        clock=platform.provided.clock,
        grace=providers.Callable(seconds, settings.provided.audit_grace_s),
        examples=settings.provided.audit_examples,
        fixes=providers.Object(FIXES),
    )
    run_audit = providers.Singleton(
        RunAuditHandler,
        auditor=auditor,
        lease=providers.Callable(seconds, settings.provided.audit_interval_s),
    )
    repair = providers.Singleton(RepairInvariantHandler, auditor=auditor)
    findings = providers.Singleton(
        SqlAuditStatus, engine=platform.provided.engine, invariants=providers.Object(INVARIANTS)
    )
    status = providers.Singleton(GetAuditStatusHandler, findings=findings)


class Audit(ModuleDefinition[AuditContainer]):
    def routes(self, c: AuditContainer) -> list[Route]:
        """None is transactional: a run and a repair ask other modules between their own
        writes; the status is a read."""
        return [
            Route(RunAudit, c.run_audit()),
            Route(RepairInvariant, c.repair()),
            Route(GetAuditStatus, c.status()),
        ]

    def periodic_jobs(self, c: AuditContainer) -> list[PeriodicJob]:
        """What changed since the last run's checkpoint; one replica at a time (a lease)."""
        mediator = c.platform().mediator
        return [
            PeriodicJob(
                name="audit.run",
                interval_s=c.settings().audit_interval_s,
                run=lambda: mediator.send(RunAudit(from_checkpoint=True)),
            )
        ]

    def metric_probes(self, c: AuditContainer) -> list[Probe]:
        return [audit_probe(c.findings())]


MODULE = Audit(name=NAME, container=AuditContainer, outbox=outbox, inbox=inbox)
