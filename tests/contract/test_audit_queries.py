"""The queries the consistency auditor asks each module (``contracts/queries.py``), asked
through the mediator of a real Orion after one order went through the saga, so that each
providing module's real handler answers: every field the auditor reads, by name and type
(``test_cross_module_queries.assert_shape``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from orion.bootstrap import Orion
from orion.modules.catalog.contracts.queries import (
    GetReservationStates,
    GetStockBalances,
    ListLiveReservations,
    ListStockMoved,
    ReservationState,
    StockBalance,
)
from orion.modules.notifications.contracts.queries import EmailsAbout, GetEmailsAbout
from orion.modules.ordering.contracts.queries import (
    STATUSES,
    GetOrderEvents,
    GetOrderStates,
    ListOrdersChanged,
    OrderEvents,
    OrderState,
)
from orion.modules.payments.contracts.queries import (
    GetPaymentStates,
    ListPaymentsChanged,
    PaymentState,
)
from orion.shared_kernel.application.consistency import ChangedBetween
from tests.conftest import Client
from tests.contract.test_cross_module_queries import assert_shape
from tests.integration.audit.conftest import order

ID, WHEN = (uuid.UUID,), (datetime,)
ORDER_STATE = {
    "order_id": ID,
    "status": (str,),
    "currency": (str,),
    "total_amount": (int,),
    "changed_at": WHEN,
}
PAYMENT_STATE = {
    "order_id": ID,
    "payment_id": ID,
    "status": (str,),
    "amount": (int,),
    "currency": (str,),
    "changed_at": WHEN,
}
RESERVATION_STATE = {"order_id": ID, "status": (str,), "changed_at": WHEN}
STOCK_BALANCE = {
    "product_id": ID,
    **{name: (int,) for name in ("on_hand", "opening", "adjustments", "reserved", "ledger")},
    "changed_at": WHEN,
}


async def test_each_module_answers_the_auditor_in_its_contracts_shape(
    client: Client, orion: Orion
) -> None:
    await orion.start_consumers()
    paid = await order(client, orion)
    window = ChangedBetween(since=None, before=datetime.now(UTC) + timedelta(seconds=1))

    (listed,) = await orion.mediator.ask(ListOrdersChanged(statuses=STATUSES, window=window))
    assert_shape(listed, OrderState, ORDER_STATE)
    assert await orion.mediator.ask(GetOrderStates(order_ids=(paid,))) == [listed]
    (events,) = await orion.mediator.ask(GetOrderEvents(order_ids=(paid,)))
    assert_shape(events, OrderEvents, {"order_id": ID, "event_types": (tuple,)})
    assert "ordering.order_paid.v1" in events.event_types

    (payment,) = await orion.mediator.ask(
        ListPaymentsChanged(statuses=("captured",), window=window)
    )
    assert_shape(payment, PaymentState, PAYMENT_STATE)
    assert await orion.mediator.ask(GetPaymentStates(order_ids=(paid,))) == [payment]

    (reservation,) = await orion.mediator.ask(ListLiveReservations(window=window))
    assert_shape(reservation, ReservationState, RESERVATION_STATE)
    assert await orion.mediator.ask(GetReservationStates(order_ids=(paid,))) == [reservation]
    (product,) = await orion.mediator.ask(ListStockMoved(since=None, before=window.before))
    (balance,) = await orion.mediator.ask(GetStockBalances(product_ids=(product,)))
    assert_shape(balance, StockBalance, STOCK_BALANCE)

    (emails,) = await orion.mediator.ask(GetEmailsAbout(subject_ids=(paid,)))
    assert_shape(emails, EmailsAbout, {"subject_id": ID, "event_types": (tuple,)})
    assert "ordering.order_paid.v1" in emails.event_types
