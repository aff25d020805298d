"""The invariants across modules, each checked through the modules' contract queries.

An invariant gathers its subjects (order ids, message ids) from what changed in the window
and from its open findings, asks each owning module for their states, and judges those whose
states have all settled. The rules are plain functions of the modules' answers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from orion.modules.audit.domain.verdict import Verdict, Window
from orion.modules.catalog.contracts.queries import (
    GetReservationStates,
    GetStockBalances,
    ListLiveReservations,
    ListStockMoved,
    ReservationState,
    StockBalance,
)
from orion.modules.notifications.contracts.queries import EMAILED_ORDER_EVENTS, GetEmailsAbout
from orion.modules.ordering.contracts.queries import (
    CANCELLED,
    SOLD,
    STATUSES,
    GetOrderEvents,
    GetOrderStates,
    ListOrdersChanged,
    OrderState,
)
from orion.modules.payments.contracts.queries import (
    GetPaymentStates,
    ListPaymentsChanged,
    PaymentState,
)
from orion.shared_kernel.application.consistency import ChangedBetween, ListStuckMessages
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.application.messages import Query

CAPTURED = "captured"
RESERVED = "reserved"
CHUNK = 1_000  # ids per state query

Listing = Callable[[ChangedBetween], Query[list[Any]]]  # one page of what changed in a window
Lookup = Callable[[tuple[uuid.UUID, ...]], Query[list[Any]]]  # the states of these orders


class Invariant(Protocol):
    name: str

    async def check(self, window: Window, reopened: set[str]) -> Verdict:
        """Judges what changed in the window and the ``reopened`` subjects (open findings)."""


async def changed(mediator: Mediator, query: Listing, window: Window) -> AsyncIterator[Any]:
    """Every record a module lists for the window, page after page."""
    page = ChangedBetween(since=window.since, before=window.before)
    while True:
        states = await mediator.ask(query(page))
        for state in states:
            yield state
        if len(states) < page.limit:
            return
        last = states[-1]
        page = ChangedBetween(
            since=window.since, before=window.before, after=(last.changed_at, last.order_id)
        )


async def states_of(
    mediator: Mediator, query: Lookup, ids: set[str], *, key: str = "order_id"
) -> dict[str, Any]:
    """A module's states of these records (orders by default), by id, a chunk at a time."""
    ordered = sorted(ids)
    found: dict[str, Any] = {}
    for start in range(0, len(ordered), CHUNK):
        chunk = tuple(uuid.UUID(subject) for subject in ordered[start : start + CHUNK])
        found.update({str(getattr(s, key)): s for s in await mediator.ask(query(chunk))})
    return found


def payment_problem(order: OrderState | None, payment: PaymentState | None) -> str | None:
    """A sold order has exactly one captured payment of its total; a captured payment
    belongs to a sold order (a cancelled order's is refunded)."""
    captured = payment is not None and payment.status == CAPTURED
    if order is None:
        return "captured_without_order" if captured else None
    if order.status in SOLD:
        if payment is None:
            return "sold_without_payment"
        if not captured:
            return f"sold_with_payment_{payment.status}"
        if (payment.amount, payment.currency) != (order.total_amount, order.currency):
            return "amount_differs"
        return None
    if captured:
        return "captured_for_cancelled_order" if order.status == CANCELLED else "captured_unpaid"
    return None


def reservation_problem(
    order: OrderState | None, reservation: ReservationState | None
) -> str | None:
    """A reservation holds stock only for an order that still wants it."""
    if reservation is None or reservation.status != RESERVED:
        return None
    if order is None:
        return "reserved_without_order"
    return "reserved_for_cancelled_order" if order.status == CANCELLED else None


class CrossCheck:
    """An invariant between two modules' states of one order: its subjects are the orders
    that ``listings`` name for the window, its states what ``left`` and ``right`` answer."""

    def __init__(
        self,
        *,
        name: str,
        mediator: Mediator,
        listings: Sequence[Listing],
        left: Lookup,
        right: Lookup,
        problem: Callable[[Any, Any], str | None],
    ) -> None:
        self.name = name
        self._mediator = mediator
        self._listings = listings
        self._left = left
        self._right = right
        self._problem = problem

    async def check(self, window: Window, reopened: set[str]) -> Verdict:
        subjects = set(reopened)
        for listing in self._listings:
            async for state in changed(self._mediator, listing, window):
                subjects.add(str(state.order_id))
        left = await states_of(self._mediator, self._left, subjects)
        right = await states_of(self._mediator, self._right, subjects)
        verdict = Verdict()
        for subject in subjects:
            first, second = left.get(subject), right.get(subject)
            changes = [state.changed_at for state in (first, second) if state is not None]
            if all(window.settled(at) for at in changes):
                verdict.judge(subject, self._problem(first, second))
        return verdict


def order_payment(mediator: Mediator) -> CrossCheck:
    """Every paid, shipped or delivered order has one captured payment of its amount and
    currency; every captured payment belongs to such an order, or was refunded."""
    return CrossCheck(
        name="order_payment",
        mediator=mediator,
        listings=[
            lambda page: ListOrdersChanged(statuses=(*SOLD, CANCELLED), window=page),
            lambda page: ListPaymentsChanged(statuses=(CAPTURED,), window=page),
        ],
        left=lambda ids: GetOrderStates(order_ids=ids),
        right=lambda ids: GetPaymentStates(order_ids=ids),
        problem=payment_problem,
    )


def reservation_release(mediator: Mediator) -> CrossCheck:
    """Every cancelled order whose stock was reserved has it released, and no reservation
    holds stock for an order that no longer wants it (cancelled, or unknown to ordering)."""
    return CrossCheck(
        name="reservation_release",
        mediator=mediator,
        listings=[
            lambda page: ListOrdersChanged(statuses=(CANCELLED,), window=page),
            lambda page: ListLiveReservations(window=page),
        ],
        left=lambda ids: GetOrderStates(order_ids=ids),
        right=lambda ids: GetReservationStates(order_ids=ids),
        problem=reservation_problem,
    )


def stock_problem(balance: StockBalance) -> str | None:
    """Every unit on hand is in the ledger, and on hand is the opening stock plus the
    adjustments less what live reservations (of orders pending or sold) hold."""
    if balance.ledger != balance.on_hand:
        return "on_hand_differs_from_ledger"
    if balance.opening + balance.adjustments - balance.reserved != balance.on_hand:
        return "on_hand_differs_from_reservations"
    return None


class StockLedger:
    """For every product, the stock on hand equals the opening stock plus the adjustments
    minus the units of live reservations, and the ledger's movements add up to it."""

    name = "stock_ledger"

    def __init__(self, mediator: Mediator) -> None:
        self._mediator = mediator

    async def check(self, window: Window, reopened: set[str]) -> Verdict:
        moved = await self._mediator.ask(ListStockMoved(since=window.since, before=window.before))
        subjects = reopened | {str(product) for product in moved}
        balances = await states_of(
            self._mediator,
            lambda ids: GetStockBalances(product_ids=ids),
            subjects,
            key="product_id",
        )
        verdict = Verdict()
        for subject in subjects:
            balance = balances.get(subject)
            if balance is None:
                verdict.judge(subject, None)  # no such product (any more)
            elif window.settled(balance.changed_at):
                verdict.judge(subject, stock_problem(balance))
        return verdict


class OrderEmails:
    """Every order event that promises an email (``EMAILED_ORDER_EVENTS``) has its entry in
    the notification log: sent, or failed and on the retry ladder."""

    name = "order_emails"

    def __init__(self, mediator: Mediator) -> None:
        self._mediator = mediator

    async def check(self, window: Window, reopened: set[str]) -> Verdict:
        subjects = set(reopened)
        listing = lambda page: ListOrdersChanged(statuses=STATUSES, window=page)  # noqa: E731
        async for order in changed(self._mediator, listing, window):
            subjects.add(str(order.order_id))
        orders = await states_of(
            self._mediator, lambda ids: GetOrderStates(order_ids=ids), subjects
        )
        promised = await self._grouped(lambda ids: GetOrderEvents(order_ids=ids), subjects)
        logged = await self._grouped(lambda ids: GetEmailsAbout(subject_ids=ids), subjects)
        verdict = Verdict()
        for subject in subjects:
            order = orders.get(subject)
            if order is None or not window.settled(order.changed_at):
                continue
            missing = sorted(
                event.event_type
                for event in promised.get(subject, [])
                if event.event_type in EMAILED_ORDER_EVENTS
                and event.event_type not in {email.event_type for email in logged.get(subject, [])}
            )
            verdict.judge(subject, f"no_email_for_{missing[0]}" if missing else None)
        return verdict

    async def _grouped(self, query: Lookup, ids: set[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            chunk = tuple(uuid.UUID(subject) for subject in ordered[start : start + CHUNK])
            for record in await self._mediator.ask(query(chunk)):
                key = getattr(record, "order_id", None) or record.subject_id
                found.setdefault(str(key), []).append(record)
        return found


class MessagesFlowing:
    """No outbox row pending longer than its bound, and no message parked in an outbox or
    dead-lettered longer than its bound."""

    name = "messages_flowing"

    def __init__(
        self, mediator: Mediator, *, pending_bound: timedelta, parked_bound: timedelta
    ) -> None:
        self._mediator = mediator
        self._pending_bound = pending_bound
        self._parked_bound = parked_bound

    async def check(self, window: Window, reopened: set[str]) -> Verdict:
        """Not windowed: what is stuck is few, and looked up by index each time."""
        stuck = await self._mediator.ask(
            ListStuckMessages(
                pending_before=window.now - self._pending_bound,
                parked_before=window.now - self._parked_bound,
            )
        )
        verdict = Verdict(complete=True)
        for message in stuck:
            verdict.judge(f"{message.place}/{message.message_id}", message.state)
        return verdict
