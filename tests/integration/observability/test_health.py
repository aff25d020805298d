"""Readiness as an operator reads it: each dependency named, with its status and how long
it took to answer; liveness answers without asking any."""

from __future__ import annotations

from pydantic import SecretStr

from orion.bootstrap import Orion
from tests.conftest import BROKER_URL, REDIS_URL, Client, shop_settings


async def test_readiness_reports_each_dependency_with_its_latency(database_url: str) -> None:
    shop = Orion(
        shop_settings(broker_url=SecretStr(BROKER_URL), redis_url=SecretStr(REDIS_URL)),
        database_url,
    )
    try:
        async with shop.create_app().test_app() as app:
            client: Client = app.test_client()
            ready = await client.get("/health/ready")
            body = await ready.get_json()
            assert ready.status_code == 200, body
            assert set(body["checks"]) == {"process", "database", "broker", "redis"}
            for name, check in body["checks"].items():
                assert check["status"] == "pass", name
                assert isinstance(check["ms"], float | int), name
                assert check["ms"] >= 0
            live = await client.get("/health/live")
            assert await live.get_json() == {"status": "pass"}
    finally:
        await shop.aclose()
