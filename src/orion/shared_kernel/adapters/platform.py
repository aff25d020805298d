"""The shared resources, built once per process by the composition root and handed to every
module's container as a ``Platform``: the engine, clock, mediator (with its behaviours),
exchange rates, cache and rate limiter. Nothing connects when the container is built."""

from __future__ import annotations

from dependency_injector import containers, providers

from orion.shared_kernel.adapters.cache import cache_backend
from orion.shared_kernel.adapters.clock import SystemClock
from orion.shared_kernel.adapters.exchange_rates import currency_converter
from orion.shared_kernel.adapters.mediator import (
    InProcessMediator,
    log_context,
    map_errors,
    retried,
)
from orion.shared_kernel.adapters.module import Platform
from orion.shared_kernel.adapters.ratelimit import RateLimiter
from orion.shared_kernel.adapters.ratelimit import storage as rate_limit_storage
from orion.shared_kernel.adapters.settings import PlatformSettings, reveal
from orion.shared_kernel.adapters.sql.engine import UNAVAILABLE, engine_for, once_more_if_transient
from orion.shared_kernel.adapters.vault import database_credentials


class PlatformContainer(containers.DeclarativeContainer):
    """The shared resources every module's container draws on (``Platform``). A test fills
    it with fakes by overriding a provider before making an ``Orion``:
    ``with PlatformContainer.exchange_rates.override(providers.Object(fake)): Orion(...)``."""

    settings = providers.Dependency(instance_of=PlatformSettings)
    database_url = providers.Dependency(instance_of=str)

    redis_url = providers.Callable(reveal, settings.provided.redis_url)
    clock = providers.Singleton(SystemClock)
    exchange_rates = providers.Singleton(currency_converter, settings=settings, clock=clock)
    database_credentials = providers.Singleton(database_credentials, settings=settings)
    platform = providers.Singleton(
        Platform,
        engine=providers.Singleton(engine_for, database_url, settings, database_credentials),
        clock=clock,
        mediator=providers.Singleton(
            InProcessMediator,
            behaviours=providers.List(
                map_errors(UNAVAILABLE), log_context, retried(once_more_if_transient)
            ),
        ),
        exchange_rates=exchange_rates,
        cache_backend=providers.Singleton(cache_backend, redis_url=redis_url),
        limiter=providers.Singleton(
            RateLimiter, storage=providers.Singleton(rate_limit_storage, redis_url)
        ),
        cache_ttl_s=settings.provided.cache_ttl_s,
    )
