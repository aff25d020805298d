"""A Platform for a module's container in unit tests: the clock, mediator and rates given, the
rest absent (every adapter that would use the engine, the cache or the limiter is replaced by
a fake in the test)."""

from __future__ import annotations

from typing import Any, cast

from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.module import Platform
from orion.shared_kernel.application.clock import Clock


def fake_platform(
    clock: Clock, mediator: InProcessMediator, exchange_rates: Any = None
) -> Platform:
    return Platform(
        engine=cast(Any, None),
        clock=clock,
        mediator=mediator,
        exchange_rates=cast(Any, exchange_rates),
        cache_backend=cast(Any, None),
        limiter=cast(Any, None),
        cache_ttl_s=60.0,
    )
