"""One startup shape for every module (kgrzybek's ``<Module>Startup.Initialize``).

Each ``module.py`` defines its ``ModuleDefinition``: its name, tables, and how to build its
container from the ``Platform`` (what bootstrap builds once and every module may draw on)
and its settings; then what the container offers: the handlers it puts on the mediator, its
subscriptions, HTTP blueprints, periodic jobs, metric probes and circuit breakers. Bootstrap
loops over the list of definitions and names no module itself.
"""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from quart import Blueprint
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.cache import CacheBackend, ReadThroughCache
from orion.shared_kernel.adapters.mediator import Handler, InProcessMediator, TransactionalHandler
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.metrics import Probe
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.ratelimit import RateLimiter
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application.clock import Clock
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.application.unit_of_work import UnitOfWork

C = TypeVar("C")
CircuitState = Callable[[], Awaitable[str]]


@dataclass(frozen=True, kw_only=True)
class Platform:
    """The shared resources, built once by bootstrap and handed to every module's container."""

    engine: AsyncEngine
    clock: Clock
    mediator: InProcessMediator
    exchange_rates: CurrencyConverter
    cache_backend: CacheBackend
    limiter: RateLimiter
    cache_ttl_s: float

    def cache(self, namespace: str) -> ReadThroughCache:
        """A module's read-through cache: its keys under its own namespace."""
        return ReadThroughCache(self.cache_backend, namespace=namespace, ttl_s=self.cache_ttl_s)


@dataclass(frozen=True, slots=True)
class Route:
    """A message and its handler; with ``unit_of_work`` the handler is transactional: it is
    called as ``handler(message, uow)`` in a unit of work the mediator opens and commits."""

    message: type
    handler: Handler | TransactionalHandler
    unit_of_work: Callable[[], UnitOfWork] | None = None


class ModuleDefinition(Generic[C]):
    """What a module is to the composition root; each ``module.py`` subclasses it once and
    overrides what its module offers (the rest offers nothing). Its migrations live in the
    module's ``adapters/sql/migrations``, in the schema named after it."""

    def __init__(
        self,
        *,
        name: str,
        container: Callable[..., C],
        outbox: Table,
        inbox: Table,
        audit: Table | None = None,
    ) -> None:
        """``container``: the module's container class, called with ``platform`` and
        ``settings`` (the module's own settings model). ``audit``: the module's audit log,
        when admins change its data."""
        self.name = name
        self.container = container
        self.outbox = outbox
        self.inbox = inbox
        self.audit = audit

    @abstractmethod
    def routes(self, container: C) -> Iterable[Route]:
        """The handlers the module puts on the mediator."""

    def subscriptions(self, container: C) -> Iterable[Subscription]:
        return []

    def blueprints(self, container: C) -> Iterable[Blueprint]:
        return []

    def periodic_jobs(self, container: C) -> Iterable[PeriodicJob]:
        return []

    def metric_probes(self, container: C) -> Iterable[Probe]:
        return []

    def circuits(self, container: C) -> Mapping[str, CircuitState]:
        return {}

    def app_extensions(self, container: C) -> Mapping[str, object]:
        return {}

    async def close(self, container: C) -> None:
        """Releases what the module's adapters hold open (clients, connections)."""

    @property
    def migrations(self) -> ModuleMigrations:
        home = Path(inspect.getfile(type(self))).parent
        return ModuleMigrations(schema=self.name, versions=home / "adapters" / "sql" / "migrations")


@dataclass(frozen=True)
class RunningModule(Generic[C]):
    """A module's definition with its built container."""

    definition: ModuleDefinition[C]
    container: C

    @property
    def name(self) -> str:
        return self.definition.name

    def subscriptions(self) -> list[Subscription]:
        return list(self.definition.subscriptions(self.container))

    def blueprints(self) -> list[Blueprint]:
        return list(self.definition.blueprints(self.container))

    def periodic_jobs(self) -> list[PeriodicJob]:
        return list(self.definition.periodic_jobs(self.container))

    def metric_probes(self) -> list[Probe]:
        return list(self.definition.metric_probes(self.container))

    def circuits(self) -> Mapping[str, CircuitState]:
        return self.definition.circuits(self.container)

    def app_extensions(self) -> Mapping[str, object]:
        return self.definition.app_extensions(self.container)

    async def aclose(self) -> None:
        await self.definition.close(self.container)


def start(
    definition: ModuleDefinition[C], *, platform: Platform, settings: object
) -> RunningModule[C]:
    """Builds the module's container and puts its handlers on the platform's mediator."""
    running = RunningModule(definition, definition.container(platform=platform, settings=settings))
    for route in definition.routes(running.container):
        platform.mediator.register(route.message, route.handler, unit_of_work=route.unit_of_work)
    return running
