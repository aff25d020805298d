"""Each invariant across modules, broken behind Orion's back by a direct SQL write (as a bug
or a lost message would leave it): the auditor reports exactly that one, and a shop the saga
settled reports nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import outbox as ordering_outbox
from orion.modules.ordering.application.commands import CancelOrder
from tests.conftest import Client
from tests.integration.audit.conftest import (
    CLEAN,
    audit,
    execute,
    hold_stock_again,
    order,
    settle,
)


async def test_a_shop_the_saga_settled_breaks_no_invariant(client: Client, orion: Orion) -> None:
    await order(client, orion)
    await order(client, orion, token="tok_declined")
    refunded = await order(client, orion)
    await orion.mediator.send(CancelOrder(order_id=refunded, customer_id=None))
    await settle(orion)
    assert await audit(orion) == CLEAN


async def test_a_payment_of_another_amount_than_its_order_is_reported(
    client: Client, orion: Orion
) -> None:
    paid = await order(client, orion)
    await order(client, orion)
    await execute(
        orion, "UPDATE payments.payments SET amount = amount - 1 WHERE order_id = :id", id=paid
    )
    assert await audit(orion) == {**CLEAN, "order_payment": [(str(paid), "amount_differs")]}


async def test_a_paid_order_without_a_captured_payment_is_reported(
    client: Client, orion: Orion
) -> None:
    paid = await order(client, orion)
    await execute(
        orion,
        "DELETE FROM payments.payment_attempts WHERE payment_id IN "
        "(SELECT id FROM payments.payments WHERE order_id = :id)",
        id=paid,
    )
    await execute(orion, "DELETE FROM payments.payments WHERE order_id = :id", id=paid)
    assert await audit(orion) == {**CLEAN, "order_payment": [(str(paid), "sold_without_payment")]}


async def test_a_reservation_left_holding_stock_for_a_cancelled_order_is_reported(
    client: Client, orion: Orion
) -> None:
    declined = await order(client, orion, token="tok_declined")
    await hold_stock_again(orion, declined)
    assert await audit(orion) == {
        **CLEAN,
        "reservation_release": [(str(declined), "reserved_for_cancelled_order")],
    }


async def test_stock_on_hand_changed_behind_the_ledger_is_reported(
    client: Client, orion: Orion
) -> None:
    paid = await order(client, orion)
    await order(client, orion)
    async with orion.engine.connect() as connection:
        pen = await connection.scalar(
            sa.text("SELECT product_id FROM catalog.reservation_lines WHERE order_id = :id"),
            {"id": paid},
        )
    await execute(orion, "UPDATE catalog.products SET stock = stock + 5 WHERE id = :id", id=pen)
    assert await audit(orion) == {
        **CLEAN,
        "stock_ledger": [(str(pen), "on_hand_differs_from_ledger")],
    }


async def test_an_order_event_whose_email_is_not_in_the_log_is_reported(
    client: Client, orion: Orion
) -> None:
    paid = await order(client, orion)
    await order(client, orion)
    await execute(
        orion,
        "DELETE FROM notifications.emails WHERE subject_id = :id"
        " AND event_type = 'ordering.order_paid.v1'",
        id=paid,
    )
    problem = "no_email_for_ordering.order_paid.v1"
    assert await audit(orion) == {**CLEAN, "order_emails": [(str(paid), problem)]}


async def test_an_outbox_row_pending_past_its_bound_is_reported(
    client: Client, orion: Orion
) -> None:
    await order(client, orion)
    message = uuid.uuid4()
    async with orion.engine.begin() as connection:
        await connection.execute(
            sa.insert(ordering_outbox).values(
                id=message,
                type="ordering.order_placed.v1",
                aggregate_id=uuid.uuid4(),
                aggregate_version=1,
                occurred_at=datetime.now(UTC),
                payload={},
                created_at=datetime.now(UTC) - timedelta(hours=1),
            )
        )
    assert await audit(orion) == {
        **CLEAN,
        "messages_flowing": [(f"ordering.outbox/{message}", "pending")],
    }
