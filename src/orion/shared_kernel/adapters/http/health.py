"""Liveness (is the process serving at all) and readiness (can it do its work right now).

Readiness runs every configured check at once, each under a timeout, and answers 503 naming
the part that failed, in the health+json shape (draft-inadarei-api-health-check).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from quart import Blueprint, Response, json
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.cache import CacheBackend
from orion.shared_kernel.adapters.http.openapi import responses
from orion.shared_kernel.adapters.messaging.broker import Broker

ReadinessCheck = Callable[[], Awaitable[None]]


def readiness_checks(
    *,
    accepting: ReadinessCheck,
    engine: AsyncEngine,
    broker: Broker,
    redis: CacheBackend | None,
) -> dict[str, ReadinessCheck]:
    """The process (not draining), the database, and the broker and Redis where configured
    (the cache's client stands for Redis)."""

    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    checks: dict[str, ReadinessCheck] = {"process": accepting, "database": database}
    if broker.durable:
        checks["broker"] = broker.ping
    if redis is not None:
        checks["redis"] = redis.ping
    return checks


CHECK_TIMEOUT_S = 2.0
HEALTH_JSON = "application/health+json"
_CHECK = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["pass", "fail"]},
        "ms": {"type": "number"},
        "output": {"type": "string"},
    },
}
_HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["pass", "fail"]},
        "checks": {"type": "object", "additionalProperties": _CHECK},
        "output": {"type": "string"},
    },
}


def _health(description: str) -> dict[str, Any]:
    return {"description": description, "content": {HEALTH_JSON: {"schema": _HEALTH}}}


def health_blueprint(checks: dict[str, ReadinessCheck]) -> Blueprint:
    blueprint = Blueprint("health", __name__, url_prefix="/health")

    @blueprint.get("/live")
    @responses({200: _health("The process serves.")})
    async def live() -> Response:
        return Response('{"status":"pass"}', content_type=HEALTH_JSON)

    @blueprint.get("/ready")
    @responses({200: _health("Every check passed."), 503: _health("A check failed: named.")})
    async def ready() -> Response:
        names = list(checks)
        results = await asyncio.gather(*(_run(checks[name]) for name in names))
        report = dict(zip(names, results, strict=True))
        ok = all(result["status"] == "pass" for result in report.values())
        failing = [name for name, result in report.items() if result["status"] != "pass"]
        body: dict[str, Any] = {"status": "pass" if ok else "fail", "checks": report}
        if failing:
            body["output"] = "unavailable: " + ", ".join(failing)
        return Response(json.dumps(body), status=200 if ok else 503, content_type=HEALTH_JSON)

    return blueprint


async def _run(check: ReadinessCheck) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
    except Exception as error:  # a failing dependency is the answer, not an error of ours
        return {
            "status": "fail",
            "output": f"{type(error).__name__}: {error}"[:200],
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
    return {"status": "pass", "ms": round((time.perf_counter() - started) * 1000, 2)}
