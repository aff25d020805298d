"""The dashboard's composition: its pages (a blueprint at ``/admin``), its sign-in sessions
kept in its own schema, its migrations. The only file of the module that ``bootstrap.py``
imports: it exports ``MODULE``."""

from __future__ import annotations

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.dashboard.adapters.http.routes import dashboard_blueprint
from orion.modules.dashboard.adapters.sql.audit import SqlOwnAudit
from orion.modules.dashboard.adapters.sql.tables import audit, inbox, outbox
from orion.modules.dashboard.adapters.sql.web_sessions import SqlWebSessions
from orion.modules.dashboard.application.sessions import DashboardSessions
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route

NAME = "dashboard"


class DashboardContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=object)  # the module has none of its own

    sessions = providers.Singleton(
        DashboardSessions,
        mediator=platform.provided.mediator,
        store=providers.Singleton(SqlWebSessions, engine=platform.provided.engine),
        clock=platform.provided.clock,
    )
    blueprint = providers.Singleton(
        dashboard_blueprint,
        mediator=platform.provided.mediator,
        sessions=sessions,
        audit=providers.Singleton(SqlOwnAudit, engine=platform.provided.engine),
    )


class Dashboard(ModuleDefinition[DashboardContainer]):
    def routes(self, c: DashboardContainer) -> list[Route]:
        """It answers no message: it only asks the other modules."""
        return []

    def blueprints(self, c: DashboardContainer) -> list[Blueprint]:
        return [c.blueprint()]


MODULE = Dashboard(name=NAME, container=DashboardContainer, outbox=outbox, inbox=inbox, audit=audit)
