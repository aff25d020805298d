"""Redis stopped under a running shop, then started again: product reads keep answering
(the cache and the general rate limit fail open), sign-in is refused with 503 (its limits
fail closed), readiness names Redis; once Redis is back, sign-in works again.

The Redis here is a server of this test's own on a free port, so stopping it touches no
other test."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr
from redis.exceptions import RedisError

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import CreateProduct
from orion.modules.identity.application.commands import Register
from tests.conftest import shop_settings, unavailable
from tests.fakes.loopback import free_port
from tests.integration.ordering.helpers import PASSWORD


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of our own on ``port``, keeping nothing on disk; stopped on leaving."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server", LookupError("not on PATH"))
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)


async def until_up(url: str) -> None:
    client = aioredis.from_url(url)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                await client.ping()
                return
            except (RedisError, OSError):
                assert time.monotonic() < deadline, "redis-server did not start"
                await asyncio.sleep(0.05)
    finally:
        await client.aclose()


@pytest.fixture
async def shop(orion: Orion, database_url: str) -> AsyncIterator[tuple[Orion, int]]:
    """An Orion whose Redis is a server of this test's own (not yet started)."""
    port = free_port()
    instance = Orion(
        shop_settings(redis_url=SecretStr(f"redis://127.0.0.1:{port}/0")), database_url
    )
    try:
        yield instance, port
    finally:
        await instance.aclose()


async def test_redis_stopped_reads_answer_sign_in_is_refused_and_comes_back(
    shop: tuple[Orion, int],
) -> None:
    orion, port = shop
    url = f"redis://127.0.0.1:{port}/0"
    await orion.mediator.send(Register(email="ada@example.com", password=PASSWORD, full_name="A"))
    mug = await orion.mediator.send(
        CreateProduct(
            sku="MUG",
            name="Mug",
            description="",
            category="Home",
            price_amount=1250,
            price_currency="EUR",
            stock=1,
            active=True,
        )
    )
    login = {"email": "ada@example.com", "password": PASSWORD}
    async with orion.create_app().test_app() as app:
        client = app.test_client()
        with redis_server(port):
            await until_up(url)
            before = [(await client.get(f"/api/v1/products/{mug.id}")).status_code for _ in "ab"]
            signed_in = await client.post("/api/v1/auth/login", json=login)
        # stopped: the pooled connections break, new ones are refused
        during = [(await client.get(f"/api/v1/products/{mug.id}")).status_code for _ in "ab"]
        listed = await client.get("/api/v1/products")
        refused = await client.post("/api/v1/auth/login", json=login)
        ready = await client.get("/health/ready")
        with redis_server(port):
            await until_up(url)
            again = await client.post("/api/v1/auth/login", json=login)

    assert before == [200, 200]
    assert signed_in.status_code == 200
    assert during == [200, 200]
    assert listed.status_code == 200
    assert refused.status_code == 503
    assert refused.content_type == "application/problem+json"
    assert "access_token" not in (await refused.get_json())
    assert ready.status_code == 503
    assert (await ready.get_json())["checks"]["redis"]["status"] == "fail"
    assert again.status_code == 200
    assert "access_token" in (await again.get_json())
