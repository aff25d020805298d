"""Payments through the in-process saga on the simulated provider (real PostgreSQL): an
order is charged once and paid, or declined and cancelled with its stock back; a paid order
cancelled is refunded; redeliveries and reconciliation change nothing more."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.ordering.adapters.sql.tables import outbox as ordering_outbox
from orion.modules.payments.adapters.sql.tables import outbox as payments_outbox
from orion.modules.payments.adapters.sql.tables import payment_attempts, payments
from orion.modules.payments.contracts.commands import Reconcile
from tests.conftest import Client
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    checkout,
    customer,
    product,
    put_item,
    settle,
)


async def order_with(
    client: Client, orion: Orion, token: str, *, stock: int = 5
) -> tuple[dict[str, str], uuid.UUID, dict[str, Any]]:
    await orion.start_consumers()
    headers = await customer(orion)
    pen = await product(orion, stock=stock, price=1_250)
    await put_item(client, headers, pen, quantity=2)
    body = {**ORDER_BODY, "payment": {"token": token}}
    order = await (await checkout(client, headers, body=body)).get_json()
    await settle(orion)
    fetched = await client.get(f"/api/v1/orders/{order['id']}", headers=headers)
    return headers, pen, await fetched.get_json()


async def stock_of(orion: Orion, product_id: uuid.UUID) -> int:
    async with orion.engine.connect() as connection:
        value = await connection.scalar(
            sa.text("SELECT stock FROM catalog.products WHERE id = :id"), {"id": product_id}
        )
    return int(value)


async def payment_events(orion: Orion) -> list[str]:
    async with orion.engine.connect() as connection:
        return list(
            (
                await connection.execute(
                    sa.select(payments_outbox.c.type).order_by(payments_outbox.c.created_at)
                )
            ).scalars()
        )


async def test_a_good_card_pays_the_order_once(client: Client, orion: Orion) -> None:
    _, _, order = await order_with(client, orion, "tok_visa")
    assert order["status"] == "paid"
    assert [change["status"] for change in order["history"]] == [
        "pending",
        "awaiting_payment",
        "paid",
    ]
    assert order["payment"]["status"] == "captured"
    assert order["payment"]["amount"] == {"amount": 2_500, "currency": "EUR"}
    assert "attempts" not in order["payment"]  # admins only
    assert await payment_events(orion) == ["payments.payment_captured.v1"]


async def test_a_declined_card_cancels_the_order_and_gives_the_stock_back(
    client: Client, orion: Orion, admin: dict[str, str]
) -> None:
    _, pen, order = await order_with(client, orion, "tok_declined")
    assert order["status"] == "cancelled"
    assert order["history"][-1]["reason"] == "payment_declined"
    assert order["payment"]["failure_reason"] == "card_declined"
    assert await stock_of(orion, pen) == 5
    seen = await (await client.get(f"/api/v1/admin/orders/{order['id']}", headers=admin)).get_json()
    assert [a["outcome"] for a in seen["payment"]["attempts"]] == ["declined"]
    assert seen["payment"]["provider"] == "simulated"


async def test_a_flaky_provider_is_retried_with_the_same_key(client: Client, orion: Orion) -> None:
    _, _, order = await order_with(client, orion, "tok_flaky")
    assert order["status"] == "paid"
    gateway = orion.modules["payments"].container.upstream()
    async with orion.engine.connect() as connection:
        key = await connection.scalar(sa.select(payments.c.id))
    assert await gateway.find_charge(f"charge-{key}") is not None


async def test_cancelling_a_paid_order_refunds_it_once(client: Client, orion: Orion) -> None:
    headers, pen, order = await order_with(client, orion, "tok_visa")
    cancelled = await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    await settle(orion)
    fetched = await (await client.get(f"/api/v1/orders/{order['id']}", headers=headers)).get_json()
    assert fetched["payment"]["status"] == "refunded"
    assert await stock_of(orion, pen) == 5
    assert await payment_events(orion) == [
        "payments.payment_captured.v1",
        "payments.payment_refunded.v1",
    ]


async def test_every_event_delivered_again_changes_nothing(client: Client, orion: Orion) -> None:
    headers, _, order = await order_with(client, orion, "tok_visa")
    await client.post(f"/api/v1/orders/{order['id']}/cancel", headers=headers)
    await settle(orion)
    async with orion.engine.begin() as connection:  # the relay dies before marking: again
        await connection.execute(ordering_outbox.update().values(published_at=None))
        await connection.execute(payments_outbox.update().values(published_at=None))
    await settle(orion)
    async with orion.engine.connect() as connection:
        attempts = (await connection.execute(sa.select(payment_attempts.c.outcome))).scalars()
        assert sorted(attempts) == ["captured", "refunded"]
    assert len(await payment_events(orion)) == 2


async def test_reconciliation_records_a_charge_whose_answer_was_lost(
    client: Client, orion: Orion
) -> None:
    """The charge went through at the provider but the worker died before recording it: the
    payment is pending; reconciliation finds the charge by its key and does not charge."""
    _, _, order = await order_with(client, orion, "tok_visa")
    gateway = orion.modules["payments"].container.upstream()
    async with orion.engine.begin() as connection:  # forget the answer, keep the charge
        await connection.execute(payment_attempts.delete())
        await connection.execute(
            payments.update().values(
                status="pending",
                provider_reference=None,
                updated_at=sa.func.now() - sa.text("interval '1 hour'"),
            )
        )
        await connection.execute(payments_outbox.delete())
    charges_before = dict(gateway._charges)
    report = await orion.mediator.send(
        Reconcile(
            after=__import__("datetime").timedelta(seconds=1),
            give_up_after=__import__("datetime").timedelta(days=1),
        )
    )
    assert (report.examined, report.settled) == (1, 1)
    assert gateway._charges == charges_before  # found, not charged again
    async with orion.engine.connect() as connection:
        status = await connection.scalar(sa.select(payments.c.status))
    assert status == "captured"
    assert await payment_events(orion) == ["payments.payment_captured.v1"]
    assert order["status"] == "paid"
