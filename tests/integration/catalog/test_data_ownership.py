"""The catalog's SQL touches its own schema only: every statement it sends through a full
round of its use cases names no table outside ``catalog``."""

from __future__ import annotations

import re
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

# The table after FROM, JOIN, INTO or UPDATE, schema-qualified or not.
TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+("?\w+"?(?:\."?\w+"?)?)', re.IGNORECASE)


async def test_catalog_statements_stay_in_its_schema(orion: Orion) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(orion.engine.sync_engine, "before_cursor_execute", record)
    try:
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
        await orion.mediator.ask(
            ListProducts(cursor=page.next_cursor) if page.next_cursor else ListProducts()
        )
        await orion.mediator.ask(ListCategories())
        await orion.mediator.ask(GetProductsForOrder(product_ids=(view.id,)))
        await orion.mediator.send(DeleteProduct(product_id=view.id))
    finally:
        event.remove(orion.engine.sync_engine, "before_cursor_execute", record)

    tables = {match.replace('"', "") for s in statements for match in TABLE.findall(s)}
    assert tables, "no statement was recorded"
    assert {table.split(".")[0] for table in tables} == {"catalog"}, tables
