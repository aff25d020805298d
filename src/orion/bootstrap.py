"""The composition root: settings in, a wired Orion out. It builds the shared resources once
(``PlatformContainer``: engine, mediator, clock, cache, rate limiter, exchange rates; and the
broker), starts each module of ``MODULES`` from its definition, and hands out the Quart app,
the relay, the consumers, migrations and periodic jobs. Nothing connects at import time, nor
when the container is built: clients connect on first use, inside the event loop that
serves. Adding a module is writing its package and one line in ``MODULES``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from importlib.metadata import version
from typing import Any

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.analytics import module as analytics
from orion.modules.audit import module as audit
from orion.modules.catalog import module as catalog
from orion.modules.dashboard import module as dashboard
from orion.modules.identity import module as identity
from orion.modules.notifications import module as notifications
from orion.modules.ordering import module as ordering
from orion.modules.payments import module as payments
from orion.settings import Settings
from orion.shared_kernel.adapters.http.app import create_http_app
from orion.shared_kernel.adapters.http.exchange_rates import exchange_rates_blueprint
from orion.shared_kernel.adapters.http.health import ReadinessCheck, readiness_checks
from orion.shared_kernel.adapters.http.ratelimit import install_rate_limits
from orion.shared_kernel.adapters.messaging.broker import Broker, Subscription, subscribed_types
from orion.shared_kernel.adapters.messaging.rabbitmq import broker_for
from orion.shared_kernel.adapters.messaging.relay import OutboxRelay, relay_for
from orion.shared_kernel.adapters.metrics import (
    Probe,
    breakers_probe,
    metrics_blueprint,
    observe_pool,
    outbox_probe,
    queue_depth_probe,
)
from orion.shared_kernel.adapters.module import (
    CircuitState,
    ModuleDefinition,
    Platform,
    RunningModule,
    start,
)
from orion.shared_kernel.adapters.operations import answer_platform_queries
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.platform import PlatformContainer
from orion.shared_kernel.adapters.settings import reveal
from orion.shared_kernel.adapters.sql.inbox import prune_job
from orion.shared_kernel.adapters.sql.migrations import migrate
from orion.shared_kernel.application.exchange_rates import CurrencyConverter

MODULES: tuple[ModuleDefinition[Any], ...] = (
    catalog.MODULE,
    identity.MODULE,
    ordering.MODULE,
    payments.MODULE,
    notifications.MODULE,
    audit.MODULE,
    analytics.MODULE,
    dashboard.MODULE,
)
MODULE_NAMES = tuple(definition.name for definition in MODULES)


class UnknownModule(ValueError):
    """A module name that is not in ``MODULES`` (``orion worker --module``)."""


class Orion:
    """One wired instance of the shop, for the API process, a worker, a CLI command or a test."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings = settings
        self.container = PlatformContainer(settings=settings, database_url=database_url)
        self.platform: Platform = self.container.platform()
        self.mediator = self.platform.mediator
        self.modules: dict[str, RunningModule[Any]] = {
            definition.name: start(definition, platform=self.platform, settings=settings)
            for definition in MODULES
        }
        # what the relay drains and `orion outbox` reports
        self.outboxes = {name: module.definition.outbox for name, module in self.modules.items()}
        self.broker: Broker = broker_for(settings, topology=self.subscriptions)
        answer_platform_queries(
            self.mediator,
            modules=MODULES,
            engine=self.engine,
            broker_url=reveal(settings.broker_url),
            queues=lambda: [subscription.queue for subscription in self.subscriptions()],
            circuits=self.circuits(),
            rates=self.exchange_rates,
        )
        self.draining = False
        observe_pool(self.engine)

    @property
    def engine(self) -> AsyncEngine:
        return self.platform.engine

    @property
    def exchange_rates(self) -> CurrencyConverter:
        return self.platform.exchange_rates

    def _running(self, names: Iterable[str]) -> list[RunningModule[Any]]:
        wanted = set(names)
        unknown = wanted - self.modules.keys()
        if unknown:
            raise UnknownModule(
                f"no such module: {', '.join(sorted(unknown))} (modules: {', '.join(MODULE_NAMES)})"
            )
        return [module for name, module in self.modules.items() if name in wanted]

    def subscriptions(self, modules: Iterable[str] = MODULE_NAMES) -> list[Subscription]:
        return [s for module in self._running(modules) for s in module.subscriptions()]

    def periodic_jobs(self, modules: Iterable[str] = MODULE_NAMES) -> list[PeriodicJob]:
        """The clean-ups and checks of the given modules, run where their consumers run."""
        running = self._running(modules)
        jobs = [job for module in running for job in module.periodic_jobs()]
        every = self.settings.housekeeping_interval_s
        keep = timedelta(hours=self.settings.inbox_retention_hours)
        jobs += [prune_job(self.engine, m.definition.inbox, every, keep) for m in running]
        return list({job.name: job for job in jobs}.values())  # one of each, if asked twice

    def relay(self) -> OutboxRelay:
        subscribed = subscribed_types(self.subscriptions())
        return relay_for(
            self.settings,
            engine=self.engine,
            outboxes=self.outboxes,
            publisher=self.broker,
            subscribed=subscribed,
        )

    async def start_consumers(self, modules: Iterable[str] = MODULE_NAMES) -> None:
        await self.broker.start(self.subscriptions(modules))

    async def stop_consumers(self) -> None:
        await self.broker.stop()

    async def migrate(self) -> None:
        await migrate(
            self.container.database_url(),
            self.container.database_credentials(),
            [module.definition.migrations for module in self.modules.values()],
        )

    def create_app(self) -> Quart:
        app = create_http_app(
            version=version("orion"),
            max_body_bytes=self.settings.max_body_bytes,
            blueprints=[
                exchange_rates_blueprint(self.exchange_rates),
                *(bp for module in self.modules.values() for bp in module.blueprints()),
            ],
            readiness_checks=self._readiness_checks(),
            on_shutdown=[self.aclose],
        )
        for module in self.modules.values():
            app.extensions.update(module.app_extensions())
        install_rate_limits(app, self.platform.limiter, self.settings)
        return app

    def create_ops_app(self, *, shared_state: bool = False) -> Quart:
        """What ``--metrics-port`` serves: this process's ``/metrics`` (with ``shared_state``,
        also the outbox backlog, orders, payments...) and the health routes."""
        return create_http_app(
            version=version("orion"),
            max_body_bytes=self.settings.max_body_bytes,
            blueprints=[metrics_blueprint(self.metric_probes() if shared_state else [])],
            readiness_checks=self._readiness_checks(),
        )

    def circuits(self) -> dict[str, CircuitState]:
        """Every circuit breaker's state, by name."""
        circuits = dict(self.exchange_rates.circuits)
        for module in self.modules.values():
            circuits.update(module.circuits())
        return circuits

    def metric_probes(self) -> list[Probe]:
        """What ``/metrics`` reads at each scrape, besides this process's counters."""
        circuits = self.circuits()
        return [
            outbox_probe(self.engine, self.outboxes),
            *(probe for module in self.modules.values() for probe in module.metric_probes()),
            breakers_probe(circuits),
            queue_depth_probe(self.broker.dead_letter_depths),
        ]

    async def aclose(self) -> None:
        for module in self.modules.values():
            await module.aclose()
        await self.exchange_rates.aclose()
        await self.platform.cache_backend.aclose()
        await self.broker.close()
        await self.engine.dispose()
        credentials = self.container.database_credentials()
        if credentials is not None:
            await credentials.aclose()

    def _readiness_checks(self) -> dict[str, ReadinessCheck]:
        async def accepting() -> None:
            if self.draining:
                raise RuntimeError("shutting down")

        redis = None if self.settings.redis_url is None else self.platform.cache_backend
        return readiness_checks(
            accepting=accepting, engine=self.engine, broker=self.broker, redis=redis
        )
