"""Readiness and failure answers against real (and really absent) services."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr

from orion.bootstrap import Orion
from tests.conftest import REDIS_URL, shop_settings, unavailable
from tests.fakes.loopback import free_port


@pytest.fixture
async def redis_url() -> str:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except OSError as error:
        unavailable(f"Redis at {REDIS_URL}", error)
    finally:
        await client.aclose()
    return REDIS_URL


async def test_ready_when_database_and_redis_answer(database_url: str, redis_url: str) -> None:
    shop = Orion(shop_settings(redis_url=SecretStr(redis_url)), database_url)
    async with shop.create_app().test_app() as app:
        response = await app.test_client().get("/health/ready")
        body = await response.get_json(force=True)
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"process", "database", "redis"}
    assert body["status"] == "pass"


async def test_not_ready_names_the_redis_that_is_down(database_url: str) -> None:
    shop = Orion(
        shop_settings(redis_url=SecretStr(f"redis://127.0.0.1:{free_port()}/0")), database_url
    )
    async with shop.create_app().test_app() as app:
        response = await app.test_client().get("/health/ready")
        body = await response.get_json(force=True)
    assert response.status_code == 503
    assert body["checks"]["database"]["status"] == "pass"
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["output"] == "unavailable: redis"


async def test_database_down_is_503_not_500() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/orion"
    shop = Orion(shop_settings(), url)
    async with shop.create_app().test_app() as app:
        client = app.test_client()
        ready = await client.get("/health/ready")
        product = await client.get(f"/api/v1/products/{uuid.uuid4()}")
        live = await client.get("/health/live")
        ready_body = await ready.get_json(force=True)
        product_body = await product.get_json(force=True)
    assert ready.status_code == 503
    assert ready_body["output"] == "unavailable: database"
    assert product.status_code == 503
    assert product_body["type"] == "/problems/dependency-unavailable"
    assert product.headers["Retry-After"]
    assert live.status_code == 200
