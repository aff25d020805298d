"""``orion audit --repair``: a paid order cancelled while the catalog and payments never
heard of it (their copy of OrderCancelled lost) is repaired once through their commands, the
stock back and the capture refunded, each repair recorded; a second repair does nothing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.audit.adapters.sql.tables import repairs
from orion.modules.audit.contracts.commands import Example, RepairInvariant
from orion.modules.audit.domain.errors import NotRepairable
from tests.conftest import Client
from tests.integration.audit.conftest import CLEAN, audit, execute, order
from tests.integration.payments.test_payment_flow import stock_of


async def cancelled_behind_the_saga(orion: Orion, order_id: uuid.UUID) -> None:
    await execute(
        orion, "UPDATE ordering.orders SET status = 'cancelled' WHERE id = :id", id=order_id
    )
    await execute(
        orion,
        "UPDATE ordering.order_summaries SET status = 'cancelled' WHERE id = :id",
        id=order_id,
    )


async def payment_status(orion: Orion, order_id: uuid.UUID) -> str:
    async with orion.engine.connect() as connection:
        status = await connection.scalar(
            sa.text("SELECT status FROM payments.payments WHERE order_id = :id"), {"id": order_id}
        )
    return str(status)


async def test_each_repair_is_made_once_and_recorded(client: Client, orion: Orion) -> None:
    paid = await order(client, orion)
    async with orion.engine.connect() as connection:
        pen = await connection.scalar(
            sa.text("SELECT product_id FROM catalog.reservation_lines WHERE order_id = :id"),
            {"id": paid},
        )
    await cancelled_behind_the_saga(orion, paid)
    assert await audit(orion) == {
        **CLEAN,
        "order_payment": [(str(paid), "captured_for_cancelled_order")],
        "reservation_release": [(str(paid), "reserved_for_cancelled_order")],
    }
    assert await stock_of(orion, pen) == 3

    for invariant, problem in [
        ("order_payment", "captured_for_cancelled_order"),
        ("reservation_release", "reserved_for_cancelled_order"),
    ]:
        first = await orion.mediator.send(RepairInvariant(invariant=invariant))
        assert first.repaired == [Example(subject=str(paid), problem=problem)]
        assert first.left == []
        again = await orion.mediator.send(RepairInvariant(invariant=invariant))
        assert again.repaired == []
        assert again.left == []

    assert await stock_of(orion, pen) == 5
    assert await payment_status(orion, paid) == "refunded"
    async with orion.engine.connect() as connection:
        recorded = (await connection.execute(sa.select(repairs.c.invariant))).scalars().all()
    assert sorted(recorded) == ["order_payment", "reservation_release"]
    assert await audit(orion) == CLEAN


async def test_an_invariant_without_a_mechanical_fix_is_refused(orion: Orion) -> None:
    with pytest.raises(NotRepairable):
        await orion.mediator.send(RepairInvariant(invariant="messages_flowing"))
