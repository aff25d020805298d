"""The auditor's tests: a shop whose grace period is zero (what the saga settled before the
audit runs is judged), and orders taken through the whole in-process saga."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.audit.contracts.commands import AuditReport, RunAudit
from tests.conftest import Client, emptied, shop_settings
from tests.integration.ordering.helpers import ORDER_BODY, checkout, customer, product, put_item
from tests.integration.ordering.helpers import settle as settle

GOOD_CARD = ORDER_BODY["payment"]["token"]


@pytest.fixture
async def orion(database_url: str) -> AsyncIterator[Orion]:
    async with emptied(Orion(shop_settings(audit_grace_s=0), database_url)) as shop:
        await shop.start_consumers()
        yield shop


async def order(client: Client, orion: Orion, token: str = GOOD_CARD) -> uuid.UUID:
    """An order of two units through the saga: paid with a good card, cancelled with a
    declined one."""
    headers = await customer(orion)
    await put_item(client, headers, await product(orion, stock=5, price=1_250), quantity=2)
    body = {**ORDER_BODY, "payment": {"token": token}}
    placed = await (await checkout(client, headers, body=body)).get_json()
    await settle(orion)
    return uuid.UUID(placed["id"])


async def audit(orion: Orion) -> dict[str, list[tuple[str, str]]]:
    """Each invariant's violations, as (subject, problem)."""
    report = await orion.mediator.send(RunAudit())
    assert isinstance(report, AuditReport)
    return {
        result.invariant: [(e.subject, e.problem) for e in result.examples]
        for result in report.results
    }


CLEAN: dict[str, list[tuple[str, str]]] = {
    "order_payment": [],
    "reservation_release": [],
    "stock_ledger": [],
    "order_emails": [],
    "messages_flowing": [],
}


async def execute(orion: Orion, statement: str, **values: object) -> None:
    """A write behind Orion's back, as a bug or a lost message would leave it: one row."""
    async with orion.engine.begin() as connection:
        result = await connection.execute(sa.text(statement), values)
        assert result.rowcount == 1


async def hold_stock_again(orion: Orion, order_id: uuid.UUID) -> None:
    """The release of the order's reservation undone, as if the catalog never heard of the
    order's cancellation: the reservation holds its stock again, the units are off hand
    again, the ledger has no release (one line of two units, the only order of its product)."""
    await execute(
        orion,
        "UPDATE catalog.reservations SET status = 'reserved', released_at = NULL"
        " WHERE order_id = :id",
        id=order_id,
    )
    await execute(
        orion,
        "UPDATE catalog.products SET stock = stock - 2 WHERE id ="
        " (SELECT product_id FROM catalog.reservation_lines WHERE order_id = :id)",
        id=order_id,
    )
    await execute(
        orion,
        "DELETE FROM catalog.stock_movements WHERE kind = 'released' AND product_id ="
        " (SELECT product_id FROM catalog.reservation_lines WHERE order_id = :id)",
        id=order_id,
    )
