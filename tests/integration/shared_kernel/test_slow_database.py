"""A slow, stalled or flaky database, through a loopback TCP proxy the tests steer between
Orion and PostgreSQL (``tests/fakes/tcp_proxy.py``): checkouts at 500 ms per round trip
succeed or answer 503 in time and reconcile; a stalled server turns requests and readiness
into 503 within their budget; connections cut mid-run are replaced and the next requests
succeed. Timeouts are set short here, so that each scenario takes seconds."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import orders
from orion.shared_kernel.adapters.sql.engine import UNAVAILABLE, StatementTimedOut, create_engine
from tests.conftest import Client, shop_settings
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.ordering.helpers import checkout, customer, product, put_item

POOL_TIMEOUT_S = 1.0
STATEMENT_TIMEOUT_MS = 1000
# what one request may wait at most when the server stops answering: the pool, then the
# client's own statement limit (a second past the server's), plus scheduling slack
STALL_BUDGET_S = POOL_TIMEOUT_S + STATEMENT_TIMEOUT_MS / 1000 + 1 + 1.5


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[TcpProxy]:
    url = make_url(database_url)
    async with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as steered:
        yield steered


@asynccontextmanager
async def shop_through(
    proxy: TcpProxy, database_url: str, **settings: Any
) -> AsyncIterator[tuple[Orion, Client]]:
    """An Orion whose every connection goes through the proxy, with a pool of 2."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    shop = Orion(
        shop_settings(db_pool_size=2, db_pool_timeout_s=POOL_TIMEOUT_S, **settings),
        url.render_as_string(hide_password=False),
    )
    try:
        async with shop.create_app().test_app() as app:
            yield shop, app.test_client()
    finally:
        await shop.aclose()


async def timed(request: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    response = await request
    return response, time.perf_counter() - started


async def test_checkouts_at_500_ms_a_round_trip_succeed_or_503_and_reconcile(
    orion: Orion, database_url: str, proxy: TcpProxy
) -> None:
    async with shop_through(proxy, database_url) as (shop, client):
        pen = await product(shop)
        shoppers = [await customer(shop) for _ in range(5)]
        for headers in shoppers:
            assert (await put_item(client, headers, pen)).status_code == 200
        # two checkouts first, at once: both pooled connections prepare a checkout's
        # statements, so that the slow ones below pay the round trips of a warm server
        warm_up, shoppers = shoppers[:2], shoppers[2:]
        warmed = await asyncio.gather(*(checkout(client, headers) for headers in warm_up))
        assert [response.status_code for response in warmed] == [202, 202]
        keys = [str(uuid.uuid4()) for _ in shoppers]

        proxy.latency_s = 0.5
        answers = await asyncio.gather(
            *(timed(checkout(client, h, k)) for h, k in zip(shoppers, keys, strict=True))
        )
        proxy.latency_s = 0.0

        statuses = sorted(response.status_code for response, _ in answers)
        assert set(statuses) == {202, 503}, statuses  # 3 checkouts, 2 connections:
        # slow is not down, the two that have a connection carry on (a checkout takes ~20
        # round trips, ~10 s here); the third does not pile up behind them
        slowest_refusal = max(e for r, e in answers if r.status_code == 503)
        # refused once the pool's wait was over, not after queueing behind the slow ones
        assert slowest_refusal < min(e for r, e in answers if r.status_code == 202)
        assert all(r.headers["Retry-After"] for r, _ in answers if r.status_code == 503)
        # the client retries with the same key: each shopper ends with one order, no more
        again = [await checkout(client, h, k) for h, k in zip(shoppers, keys, strict=True)]
        assert [response.status_code for response in again] == [202] * len(shoppers)
        ids = {(await response.get_json())["id"] for response in again}
        first = {(await r.get_json())["id"] for r, _ in answers if r.status_code == 202}
        assert first <= ids
    async with orion.engine.connect() as connection:
        placed = await connection.scalar(sa.select(sa.func.count()).select_from(orders))
    assert placed == len(warm_up) + len(shoppers)
    assert len(ids) == len(shoppers)


async def test_a_stalled_database_turns_requests_and_readiness_into_503_in_time(
    orion: Orion, database_url: str, proxy: TcpProxy
) -> None:
    async with shop_through(proxy, database_url, db_statement_timeout_ms=STATEMENT_TIMEOUT_MS) as (
        shop,
        client,
    ):
        headers = await customer(shop)
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200

        proxy.stall()
        answers = await asyncio.gather(
            *(timed(client.get("/api/v1/me", headers=headers)) for _ in range(4)),
            timed(client.get("/api/v1/products", query_string={"q": "pen"})),
            timed(client.get("/health/ready")),
        )
        for response, elapsed in answers:
            assert response.status_code == 503, await response.get_data(as_text=True)
            assert elapsed < STALL_BUDGET_S
        for response, _ in answers[:-1]:
            assert response.content_type == "application/problem+json"
            assert response.headers["Retry-After"]

        proxy.resume()
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        assert (await client.get("/health/ready")).status_code == 200


async def test_connections_cut_mid_run_are_replaced_and_the_next_requests_succeed(
    orion: Orion, database_url: str, proxy: TcpProxy
) -> None:
    async with shop_through(proxy, database_url) as (shop, client):
        pen = await product(shop)
        headers = await customer(shop)
        warm = await asyncio.gather(*(client.get("/api/v1/me", headers=headers) for _ in range(2)))
        assert [response.status_code for response in warm] == [200, 200]  # two pooled

        proxy.cut()  # every pooled connection is dead now
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        assert (await put_item(client, headers, pen)).status_code == 200
        proxy.cut()
        assert (await checkout(client, headers)).status_code == 202
        proxy.cut()
        listed = await client.get("/api/v1/products", query_string={"q": "Product"})
        assert listed.status_code == 200
    async with orion.engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(orders)) == 1


async def test_a_statement_past_its_timeout_is_a_timeout_not_a_database_error(
    database_url: str,
) -> None:
    """PostgreSQL cancels it (57014); Orion answers 503 for a timeout, 500 for an error."""
    engine = create_engine(database_url, pool_size=1, statement_timeout_ms=100)
    try:
        async with engine.connect() as connection:
            with pytest.raises(StatementTimedOut):
                await connection.execute(sa.text("SELECT pg_sleep(1)"))
    finally:
        await engine.dispose()
    assert issubclass(StatementTimedOut, UNAVAILABLE)
