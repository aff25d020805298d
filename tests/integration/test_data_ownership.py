"""Each module's SQL touches its own schema only.

Every statement a connection of the engine's pool runs is recorded by asyncpg itself, so
statements that bypass SQLAlchemy's execution (``CompiledQuery``) are seen too; then each
module runs a full round of its use cases and no statement may name a table outside its
schema."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import (
    AdjustStock,
    CreateProduct,
    DeleteProduct,
    UpdateProduct,
)
from orion.modules.catalog.application.queries import GetProduct, ListCategories, ListProducts
from orion.modules.catalog.contracts.queries import GetProductsForOrder
from tests.conftest import Client

# The table after FROM, JOIN, INTO or UPDATE, schema-qualified or not.
TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+("?\w+"?(?:\."?\w+"?)?)', re.IGNORECASE)


@asynccontextmanager
async def schemas_touched(orion: Orion) -> AsyncIterator[set[str]]:
    """The schemas named by every statement run while inside."""
    statements: list[str] = []

    def log(record: Any) -> None:
        statements.append(record.query)

    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(log)

    await orion.engine.dispose()  # new connections only, each with the logger
    event.listen(orion.engine.sync_engine, "connect", on_connect)
    schemas: set[str] = set()
    try:
        yield schemas
    finally:
        event.remove(orion.engine.sync_engine, "connect", on_connect)
    tables = {match.replace('"', "") for s in statements for match in TABLE.findall(s)}
    assert tables, "no statement was recorded"
    schemas.update(table.split(".")[0] if "." in table else "<unqualified>" for table in tables)


async def test_catalog_statements_stay_in_its_schema(orion: Orion) -> None:
    async with schemas_touched(orion) as schemas:
        view = await orion.mediator.send(
            CreateProduct(
                sku="OWN-1",
                name="Own",
                description="",
                category="C",
                price_amount=100,
                price_currency="EUR",
                stock=1,
            )
        )
        view = await orion.mediator.send(
            UpdateProduct(product_id=view.id, expected_version=view.version, price_amount=200)
        )
        await orion.mediator.send(AdjustStock(product_id=view.id, delta=3))
        await orion.mediator.ask(GetProduct(product_id=view.id))
        page = await orion.mediator.ask(ListProducts(q="own", limit=1))
        await orion.mediator.ask(ListProducts(cursor=page.next_cursor, limit=1))
        await orion.mediator.ask(ListCategories())
        await orion.mediator.ask(GetProductsForOrder(product_ids=(view.id,)))
        await orion.mediator.send(DeleteProduct(product_id=view.id))
    assert schemas == {"catalog"}


async def test_identity_statements_stay_in_its_schema(orion: Orion, client: Client) -> None:
    post: Callable[..., Awaitable[Any]] = client.post
    account = {"email": "own@example.com", "password": "a long passphrase"}
    async with schemas_touched(orion) as schemas:
        await post("/api/v1/auth/register", json={**account, "full_name": "Own"})
        pair = await (await post("/api/v1/auth/login", json=account)).get_json()
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        await client.patch("/api/v1/me", json={"full_name": "Owner"}, headers=headers)
        refreshed = await post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        tokens = await refreshed.get_json()
        await post("/api/v1/auth/password-reset", json={"email": account["email"]})
        await post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert schemas == {"identity"}
