"""The composition root: settings in, a wired Orion out.

It builds the shared resources (engine, mediator, clock, Redis when configured), composes
each module's container from its ``module.py``, and hands out the Quart app, migrations and
the demo seed. Nothing connects at import time, nor when the container is built: the engine
and clients connect on first use, inside the event loop that serves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from importlib.metadata import version

import redis.asyncio as aioredis
import sqlalchemy as sa
import structlog
from dependency_injector import containers, providers
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.catalog import module as catalog
from orion.modules.identity import module as identity
from orion.modules.identity.adapters.security.tokens import parse_keys
from orion.modules.notifications import module as notifications
from orion.modules.ordering import module as ordering
from orion.modules.payments import module as payments
from orion.settings import Settings
from orion.shared_kernel.adapters.cache import ReadThroughCache, cache_backend
from orion.shared_kernel.adapters.clock import SystemClock
from orion.shared_kernel.adapters.exchange_rates import currency_converter
from orion.shared_kernel.adapters.http.app import create_http_app
from orion.shared_kernel.adapters.http.auth import AUTHENTICATOR
from orion.shared_kernel.adapters.http.exchange_rates import exchange_rates_blueprint
from orion.shared_kernel.adapters.http.health import ReadinessCheck
from orion.shared_kernel.adapters.http.ratelimit import (
    RatePolicies,
    install_rate_limits,
    parse_networks,
)
from orion.shared_kernel.adapters.mediator import (
    InProcessMediator,
    log_context,
    map_errors,
    retried,
)
from orion.shared_kernel.adapters.messaging.broker import Subscription, subscribed_types
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker
from orion.shared_kernel.adapters.messaging.rabbitmq import RabbitMQ
from orion.shared_kernel.adapters.messaging.relay import OutboxRelay
from orion.shared_kernel.adapters.metrics import (
    Probe,
    breakers_probe,
    metrics_blueprint,
    observe_pool,
    outbox_probe,
    queue_depth_probe,
)
from orion.shared_kernel.adapters.periodic import PeriodicJob
from orion.shared_kernel.adapters.ratelimit import RateLimiter
from orion.shared_kernel.adapters.ratelimit import storage as rate_limit_storage
from orion.shared_kernel.adapters.sql.embedded import EmbeddedPostgres
from orion.shared_kernel.adapters.sql.engine import (
    UNAVAILABLE,
    create_engine,
    once_more_if_transient,
)
from orion.shared_kernel.adapters.sql.inbox import prune as prune_inbox
from orion.shared_kernel.adapters.sql.migrations import migrate
from orion.shared_kernel.application.exchange_rates import CurrencyConverter

log = structlog.get_logger("orion.bootstrap")


class Container(containers.DeclarativeContainer):
    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(
        create_engine,
        url=config.database_url,
        pool_size=config.db_pool_size,
        pool_timeout_s=config.db_pool_timeout_s,
        statement_timeout_ms=config.db_statement_timeout_ms,
        lock_timeout_ms=config.db_lock_timeout_ms,
    )
    mediator = providers.Singleton(
        InProcessMediator,
        behaviours=providers.List(
            map_errors(UNAVAILABLE), log_context, retried(once_more_if_transient)
        ),
    )

    cache_backend = providers.Singleton(cache_backend, redis_url=config.redis_url)
    catalog_cache = providers.Singleton(
        ReadThroughCache, backend=cache_backend, namespace="catalog", ttl_s=config.cache_ttl_s
    )
    identity_cache = providers.Singleton(
        ReadThroughCache, backend=cache_backend, namespace="identity", ttl_s=config.cache_ttl_s
    )
    exchange_rates = providers.Singleton(
        currency_converter,
        clock=clock,
        redis_url=config.redis_url,
        source=config.exchange_rates.source,
        url=config.exchange_rates.url,
        refresh_s=config.exchange_rates.refresh_s,
        max_age_s=config.exchange_rates.max_age_s,
        connect_timeout_s=config.exchange_rates.connect_timeout_s,
        read_timeout_s=config.exchange_rates.read_timeout_s,
        max_attempts=config.exchange_rates.max_attempts,
        breaker_threshold=config.exchange_rates.breaker_threshold,
        breaker_ttl_s=config.exchange_rates.breaker_ttl_s,
    )

    limiter = providers.Singleton(
        RateLimiter, storage=providers.Singleton(rate_limit_storage, config.redis_url)
    )

    catalog = providers.Container(
        catalog.CatalogContainer,
        engine=engine,
        clock=clock,
        mediator=mediator,
        exchange_rates=exchange_rates,
        cache=catalog_cache,
    )
    identity = providers.Container(
        identity.IdentityContainer,
        engine=engine,
        clock=clock,
        mediator=mediator,
        limiter=limiter,
        cache=identity_cache,
        config=config.identity,
    )
    ordering = providers.Container(
        ordering.OrderingContainer,
        engine=engine,
        clock=clock,
        mediator=mediator,
        exchange_rates=exchange_rates,
        config=config.ordering,
    )
    payments = providers.Container(
        payments.PaymentsContainer, engine=engine, clock=clock, config=config.payments
    )
    notifications = providers.Container(
        notifications.NotificationsContainer,
        engine=engine,
        mediator=mediator,
        config=config.notifications,
    )


MODULE_NAMES = (catalog.NAME, identity.NAME, ordering.NAME, payments.NAME, notifications.NAME)


class UnknownModule(ValueError):
    pass


class Orion:
    """One wired instance of the shop, for the API process, a worker, a CLI command or a test."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings = settings
        self.container = Container()
        self.container.config.from_dict(
            {
                "database_url": database_url,
                "db_pool_size": settings.db_pool_size,
                "db_pool_timeout_s": settings.db_pool_timeout_s,
                "db_statement_timeout_ms": settings.db_statement_timeout_ms,
                "db_lock_timeout_ms": settings.db_lock_timeout_ms,
                "cache_ttl_s": settings.cache_ttl_s,
                "redis_url": (
                    None if settings.redis_url is None else settings.redis_url.get_secret_value()
                ),
                "identity": {
                    "jwt_keys": jwt_keys(settings),
                    "jwt_issuer": settings.jwt_issuer,
                    "jwt_audience": settings.jwt_audience,
                    "access_token_ttl_s": settings.access_token_ttl_s,
                    "login_limit_per_account": settings.login_limit_per_account,
                    "login_limit_per_address": settings.login_limit_per_address,
                    "register_limit_per_address": settings.register_limit_per_address,
                    "reset_limit_per_address": settings.reset_limit_per_address,
                },
                "ordering": {
                    "guest_cart_ttl_days": settings.guest_cart_ttl_days,
                    "idempotency_key_ttl_hours": settings.idempotency_key_ttl_hours,
                    "housekeeping_interval_s": settings.housekeeping_interval_s,
                },
                "payments": {
                    "gateway": settings.payment_gateway,
                    "provider_url": settings.payment_provider_url,
                    "provider_key": (
                        None
                        if settings.payment_provider_key is None
                        else settings.payment_provider_key.get_secret_value()
                    ),
                    "connect_timeout_s": settings.payment_connect_timeout_s,
                    "read_timeout_s": settings.payment_read_timeout_s,
                    "max_attempts": settings.payment_max_attempts,
                    "retry_budget_s": settings.payment_retry_budget_s,
                    "breaker_threshold": settings.payment_breaker_threshold,
                    "breaker_ttl_s": settings.payment_breaker_ttl_s,
                    "redis_url": (
                        None
                        if settings.redis_url is None
                        else settings.redis_url.get_secret_value()
                    ),
                    "reconcile_after_s": settings.payment_reconcile_after_s,
                    "give_up_after_s": settings.payment_give_up_after_s,
                    "housekeeping_interval_s": settings.housekeeping_interval_s,
                },
                "exchange_rates": {
                    "source": settings.exchange_rates_source,
                    "url": settings.exchange_rates_url,
                    "refresh_s": settings.exchange_rates_refresh_s,
                    "max_age_s": settings.exchange_rates_max_age_s,
                    "connect_timeout_s": settings.exchange_rates_connect_timeout_s,
                    "read_timeout_s": settings.exchange_rates_read_timeout_s,
                    "max_attempts": settings.exchange_rates_max_attempts,
                    "breaker_threshold": settings.exchange_rates_breaker_threshold,
                    "breaker_ttl_s": settings.exchange_rates_breaker_ttl_s,
                },
                "notifications": {
                    "mail_dir": settings.data_dir / "outbox-mail",
                    "mail_sender": settings.mail_sender,
                    "public_url": settings.public_url,
                    "smtp_url": (
                        None if settings.smtp_url is None else settings.smtp_url.get_secret_value()
                    ),
                    "smtp_timeout_s": settings.smtp_timeout_s,
                },
            }
        )
        self.mediator: InProcessMediator = self.container.mediator()
        catalog.register(self.container.catalog(), self.mediator)
        identity.register(self.container.identity(), self.mediator)
        ordering.register(self.container.ordering(), self.mediator)
        payments.register(self.container.payments(), self.mediator)
        notifications.register(self.container.notifications(), self.mediator)
        # Each module's outbox, by module name: what the relay drains and `orion outbox` reports.
        self.outboxes: Mapping[str, sa.Table] = {
            catalog.NAME: catalog.OUTBOX,
            identity.NAME: identity.OUTBOX,
            ordering.NAME: ordering.OUTBOX,
            payments.NAME: payments.OUTBOX,
            notifications.NAME: notifications.OUTBOX,
        }
        # ... and its inbox: the ids of the messages its consumers handled, pruned by workers.
        self.inboxes: Mapping[str, sa.Table] = {
            catalog.NAME: catalog.INBOX,
            identity.NAME: identity.INBOX,
            ordering.NAME: ordering.INBOX,
            payments.NAME: payments.INBOX,
            notifications.NAME: notifications.INBOX,
        }
        self._redis: aioredis.Redis | None = None
        if settings.redis_url is not None:
            self._redis = aioredis.from_url(settings.redis_url.get_secret_value())
        self.broker: RabbitMQ | InProcessBroker
        if settings.broker_url is not None:
            self.broker = RabbitMQ(
                settings.broker_url.get_secret_value(),
                prefetch=settings.consumer_prefetch,
                retry_delays_ms=settings.retry_delays_ms,
                topology=self.subscriptions(),
            )
        else:
            self.broker = InProcessBroker()
        self.draining = False
        observe_pool(self.engine)

    @property
    def in_process_broker(self) -> bool:
        return isinstance(self.broker, InProcessBroker)

    def subscriptions(self, modules: Iterable[str] = MODULE_NAMES) -> list[Subscription]:
        wanted = set(modules)
        unknown = wanted - set(MODULE_NAMES)
        if unknown:
            raise UnknownModule(
                f"no such module: {', '.join(sorted(unknown))} (modules: {', '.join(MODULE_NAMES)})"
            )
        found: list[Subscription] = []
        if catalog.NAME in wanted:
            found += catalog.subscriptions(self.container.catalog())
        if identity.NAME in wanted:
            found += identity.subscriptions(self.container.identity())
        if ordering.NAME in wanted:
            found += ordering.subscriptions(self.container.ordering())
        if payments.NAME in wanted:
            found += payments.subscriptions(self.container.payments())
        if notifications.NAME in wanted:
            found += notifications.subscriptions(self.container.notifications())
        return found

    def periodic_jobs(self, modules: Iterable[str] = MODULE_NAMES) -> list[PeriodicJob]:
        """The clean-ups and checks of the given modules, run where their consumers run."""
        wanted = set(modules)
        jobs: list[PeriodicJob] = []
        if ordering.NAME in wanted:
            jobs += ordering.periodic(self.container.ordering(), self.mediator)
        if payments.NAME in wanted:
            jobs += payments.periodic(self.container.payments(), self.mediator)
        jobs += [
            PeriodicJob(
                name=f"{module}.inbox_prune",
                interval_s=self.settings.housekeeping_interval_s,
                run=partial(self.prune_inbox, module),
            )
            for module in sorted(wanted & self.inboxes.keys())
        ]
        if (
            wanted & {catalog.NAME, ordering.NAME}
            and self.settings.exchange_rates_source != "static"
        ):
            # the modules that convert prices keep the rates fresh even when nobody reads them
            jobs.append(
                PeriodicJob(
                    name="exchange_rates.refresh",
                    interval_s=self.settings.exchange_rates_refresh_s / 2,
                    run=self.exchange_rates.refresh,
                )
            )
        return jobs

    async def prune_inbox(self, module: str) -> int:
        """Forgets the module's handled messages older than ``ORION_INBOX_RETENTION_HOURS``."""
        retention = timedelta(hours=self.settings.inbox_retention_hours)
        deleted = await prune_inbox(self.engine, self.inboxes[module], retention)
        if deleted:
            log.info("inbox_pruned", module=module, deleted=deleted)
        return deleted

    def relay(self) -> OutboxRelay:
        settings = self.settings
        return OutboxRelay(
            engine=self.engine,
            outboxes=self.outboxes,
            publisher=self.broker,
            subscribed=subscribed_types(self.subscriptions()),
            batch_size=settings.relay_batch_size,
            max_attempts=settings.outbox_max_attempts,
            poll_interval_s=settings.relay_poll_interval_ms / 1000,
            retention=timedelta(hours=settings.outbox_retention_hours),
        )

    async def start_consumers(self, modules: Iterable[str] = MODULE_NAMES) -> None:
        await self.broker.start(self.subscriptions(modules))

    async def stop_consumers(self) -> None:
        await self.broker.stop()

    @property
    def engine(self) -> AsyncEngine:
        engine: AsyncEngine = self.container.engine()
        return engine

    async def migrate(self) -> None:
        # a connection of its own, without the requests' time limits: a migration may run
        # long, and waits for another one's lock
        engine = create_engine(
            self.container.config.database_url(),
            pool_size=1,
            statement_timeout_ms=None,
            lock_timeout_ms=None,
        )
        try:
            await migrate(
                engine,
                [
                    catalog.MIGRATIONS,
                    identity.MIGRATIONS,
                    ordering.MIGRATIONS,
                    payments.MIGRATIONS,
                    notifications.MIGRATIONS,
                ],
            )
        finally:
            await engine.dispose()

    async def seed_demo(self, *, only_if_empty: bool = False) -> int:
        created = await catalog.seed_demo_catalog(self.mediator, only_if_empty=only_if_empty)
        log.info("demo_catalog_seeded", created=created)
        return created

    def create_app(self) -> Quart:
        app = create_http_app(
            version=version("orion"),
            max_body_bytes=self.settings.max_body_bytes,
            blueprints=[
                exchange_rates_blueprint(self.exchange_rates),
                *catalog.blueprints(self.container.catalog()),
                *identity.blueprints(self.container.identity()),
                *ordering.blueprints(self.container.ordering()),
                *notifications.blueprints(self.container.notifications()),
            ],
            readiness_checks=self._readiness_checks(),
            on_shutdown=[self.aclose],
        )
        app.extensions[AUTHENTICATOR] = self.container.identity.authenticator()
        install_rate_limits(
            app,
            self.container.limiter(),
            RatePolicies(
                anonymous=self.settings.rate_limit_anonymous,
                user=self.settings.rate_limit_user,
                auth=self.settings.rate_limit_auth,
            ),
            parse_networks(self.settings.trusted_proxies),
        )
        return app

    def create_ops_app(self, *, shared_state: bool = False) -> Quart:
        """What a process given ``--metrics-port`` serves there, never on the API's port:
        its own counters on ``/metrics`` (with ``shared_state``, the API's, also what every
        process shares: the outbox backlog, orders, payments...) and ``/health/live``,
        ``/health/ready`` for the orchestrator."""
        return create_http_app(
            version=version("orion"),
            max_body_bytes=self.settings.max_body_bytes,
            blueprints=[metrics_blueprint(self.metric_probes() if shared_state else [])],
            readiness_checks=self._readiness_checks(),
        )

    @property
    def exchange_rates(self) -> CurrencyConverter:
        converter: CurrencyConverter = self.container.exchange_rates()
        return converter

    def metric_probes(self) -> list[Probe]:
        """What ``/metrics`` reads at each scrape, besides this process's counters."""
        probes = [
            outbox_probe(self.engine, self.outboxes),
            *ordering.metric_probes(self.container.ordering()),
            *payments.metric_probes(self.container.payments()),
            breakers_probe(
                {**payments.circuits(self.container.payments()), **self.exchange_rates.circuits}
            ),
        ]
        if isinstance(self.broker, RabbitMQ):
            probes.append(queue_depth_probe(self.broker.dead_letter_depths))
        return probes

    async def aclose(self) -> None:
        await payments.close(self.container.payments())
        await self.exchange_rates.aclose()
        await self.container.cache_backend().aclose()
        if isinstance(self.broker, RabbitMQ):
            await self.broker.close()
        await self.engine.dispose()
        if self._redis is not None:
            await self._redis.aclose()

    def _readiness_checks(self) -> dict[str, ReadinessCheck]:
        async def database() -> None:
            async with self.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))

        async def accepting() -> None:
            if self.draining:
                raise RuntimeError("shutting down")

        checks: dict[str, ReadinessCheck] = {"process": accepting, "database": database}
        if isinstance(self.broker, RabbitMQ):
            checks["broker"] = self.broker.ping
        redis = self._redis
        if redis is not None:

            async def redis_ping() -> None:
                await redis.ping()

            checks["redis"] = redis_ping
        return checks


def jwt_keys(settings: Settings) -> dict[str, bytes]:
    """``ORION_JWT_KEYS``, or else a key of this data dir's own, made once and kept (fine for
    one machine; replicas behind a balancer must share ``ORION_JWT_KEYS``)."""
    if settings.jwt_keys is not None:
        return parse_keys(settings.jwt_keys.get_secret_value())
    path = settings.data_dir / "jwt.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"local:{secrets.token_urlsafe(48)}")
        log.warning("jwt_key_generated", path=str(path), hint="set ORION_JWT_KEYS in production")
    return parse_keys(path.read_text().strip())


@contextmanager
def database_url(settings: Settings) -> Iterator[tuple[str, bool]]:
    """The configured server's URL, or a started embedded PostgreSQL's (stopped on exit).
    The flag says whether it is the embedded one."""
    if settings.database_url is not None:
        yield settings.database_url.get_secret_value(), False
        return
    with EmbeddedPostgres(settings.data_dir) as embedded:
        yield embedded.start(), True
