"""A product's update writes the columns that changed and no others (``LoadedRows``): a
stock adjustment sends its stock, version and time, not the name, price or description."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.catalog.application.commands import AdjustStock
from tests.integration.ordering.helpers import product


@contextmanager
def updates_sent(orion: Orion, table: str) -> Iterator[list[str]]:
    """The ``UPDATE`` statements sent to ``table`` meanwhile, as PostgreSQL receives them."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if statement.startswith(f"UPDATE {table} "):
            sent.append(statement)

    sa.event.listen(orion.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(orion.engine.sync_engine, "before_cursor_execute", record)


async def test_a_stock_adjustment_updates_only_what_it_changed(orion: Orion) -> None:
    product_id = await product(orion, stock=5)

    with updates_sent(orion, "catalog.products") as sent:
        view = await orion.mediator.send(AdjustStock(product_id=product_id, delta=3))
        again = await orion.mediator.send(AdjustStock(product_id=product_id, delta=-1))

    assert (view.stock, again.stock, again.version) == (8, 7, view.version + 1)
    assert len(sent) == 2
    for statement in sent:
        assigned = statement.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
        columns = {part.split("=", 1)[0].strip() for part in assigned.split(",")}
        assert {"stock", "version"} <= columns
        assert not columns & {"name", "description", "price_amount", "sku", "category"}
