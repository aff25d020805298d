"""The invariants across modules, each checked through the modules' contract queries.

An invariant gathers its subjects (order ids, product ids, message ids) from what changed in
the window and from its open findings, asks each owning module for their states, and judges
those whose states have all settled. The rules are plain functions of the modules' answers.
One run's reads (``Reads``) are shared by its invariants: each listing is asked once, and a
state a listing gave is not asked again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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
CHUNK = 10_000  # ids per state query (one array parameter)

Listing = Callable[[ChangedBetween], Query[list[Any]]]  # one page of what changed in a window
Lookup = Callable[[tuple[uuid.UUID, ...]], Query[list[Any]]]  # the states of these records


def orders_changed(page: ChangedBetween) -> ListOrdersChanged:
    return ListOrdersChanged(statuses=STATUSES, window=page)


def order_states(ids: tuple[uuid.UUID, ...]) -> GetOrderStates:
    return GetOrderStates(order_ids=ids)


class Reads:
    """What one run has read through the mediator, shared by its invariants: each listing
    of a window asked once, each record's state asked once (and not at all when a listing
    gave it)."""

    def __init__(self, mediator: Mediator, window: Window) -> None:
        self.mediator = mediator
        self.window = window
        self._listed: dict[object, list[Any]] = {}
        self._states: dict[type, dict[str, Any]] = {}
        self._asked: dict[type, set[str]] = {}

    async def listed(self, listing: Listing, *, gives: Lookup, key: str = "order_id") -> set[str]:
        """The ids a module lists for the window, page after page; their states are kept
        as the answers ``gives`` would have had."""
        first = ChangedBetween(since=self.window.since, before=self.window.before)
        if listing(first) not in self._listed:
            states: list[Any] = []
            page = first
            while True:
                answer = await self.mediator.ask(listing(page))
                states += answer
                if len(answer) < page.limit:
                    break
                last = answer[-1]
                page = ChangedBetween(
                    since=page.since, before=page.before, after=(last.changed_at, last.order_id)
                )
            self._listed[listing(first)] = states
            kind = type(gives(()))
            self._states.setdefault(kind, {}).update({str(getattr(s, key)): s for s in states})
            self._asked.setdefault(kind, set()).update(str(getattr(s, key)) for s in states)
        return {str(getattr(state, key)) for state in self._listed[listing(first)]}

    async def states(
        self, lookup: Lookup, ids: set[str], *, key: str = "order_id"
    ) -> dict[str, Any]:
        """Each record's state (one per id, or none), a chunk of ids at a time."""
        kind = type(lookup(()))
        known = self._states.setdefault(kind, {})
        asked = self._asked.setdefault(kind, set())
        missing = sorted(ids - asked)
        for start in range(0, len(missing), CHUNK):
            chunk = tuple(uuid.UUID(subject) for subject in missing[start : start + CHUNK])
            known.update({str(getattr(s, key)): s for s in await self.mediator.ask(lookup(chunk))})
        asked.update(missing)
        return known


class Invariant(Protocol):
    name: str

    async def check(self, reads: Reads, reopened: set[str]) -> Verdict:
        """Judges what changed in the run's window and the ``reopened`` subjects (open
        findings)."""


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
    that changed in the window and the records ``right_listing`` names, its states what
    ordering (left) and ``right`` answer."""

    def __init__(
        self,
        *,
        name: str,
        right_listing: Listing,
        right: Lookup,
        problem: Callable[[Any, Any], str | None],
    ) -> None:
        self.name = name
        self._right_listing = right_listing
        self._right = right
        self._problem = problem

    async def check(self, reads: Reads, reopened: set[str]) -> Verdict:
        subjects = reopened | await reads.listed(orders_changed, gives=order_states)
        subjects |= await reads.listed(self._right_listing, gives=self._right)
        left = await reads.states(order_states, subjects)
        right = await reads.states(self._right, subjects)
        verdict = Verdict()
        for subject in subjects:
            first, second = left.get(subject), right.get(subject)
            changes = [state.changed_at for state in (first, second) if state is not None]
            if all(reads.window.settled(at) for at in changes):
                verdict.judge(subject, self._problem(first, second))
        return verdict


def order_payment() -> CrossCheck:
    """Every paid, shipped or delivered order has one captured payment of its amount and
    currency; every captured payment belongs to such an order, or was refunded."""
    return CrossCheck(
        name="order_payment",
        right_listing=lambda page: ListPaymentsChanged(statuses=(CAPTURED,), window=page),
        right=lambda ids: GetPaymentStates(order_ids=ids),
        problem=payment_problem,
    )


def reservation_release() -> CrossCheck:
    """Every cancelled order whose stock was reserved has it released, and no reservation
    holds stock for an order that no longer wants it (cancelled, or unknown to ordering)."""
    return CrossCheck(
        name="reservation_release",
        right_listing=lambda page: ListLiveReservations(window=page),
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

    async def check(self, reads: Reads, reopened: set[str]) -> Verdict:
        window = reads.window
        moved = await reads.mediator.ask(ListStockMoved(since=window.since, before=window.before))
        subjects = reopened | {str(product) for product in moved}
        balances = await reads.states(
            lambda ids: GetStockBalances(product_ids=ids), subjects, key="product_id"
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

    async def check(self, reads: Reads, reopened: set[str]) -> Verdict:
        subjects = reopened | await reads.listed(orders_changed, gives=order_states)
        orders = await reads.states(order_states, subjects)
        promised = await reads.states(lambda ids: GetOrderEvents(order_ids=ids), subjects)
        logged = await reads.states(
            lambda ids: GetEmailsAbout(subject_ids=ids), subjects, key="subject_id"
        )
        verdict = Verdict()
        for subject in subjects:
            order = orders.get(subject)
            if order is None or not reads.window.settled(order.changed_at):
                continue
            events = promised.get(subject)
            emails = logged.get(subject)
            wanted = set(() if events is None else events.event_types) & EMAILED_ORDER_EVENTS
            missing = sorted(wanted - set(() if emails is None else emails.event_types))
            verdict.judge(subject, f"no_email_for_{missing[0]}" if missing else None)
        return verdict


class MessagesFlowing:
    """No outbox row pending longer than its bound, and no message parked in an outbox or
    dead-lettered longer than its bound."""

    name = "messages_flowing"

    def __init__(self, *, pending_bound: timedelta, parked_bound: timedelta) -> None:
        self._pending_bound = pending_bound
        self._parked_bound = parked_bound

    async def check(self, reads: Reads, reopened: set[str]) -> Verdict:
        """Not windowed: what is stuck is few, and looked up by index each time."""
        window = reads.window
        stuck = await reads.mediator.ask(
            ListStuckMessages(
                pending_before=window.now - self._pending_bound,
                parked_before=window.now - self._parked_bound,
            )
        )
        verdict = Verdict(complete=True)
        for message in stuck:
            verdict.judge(f"{message.place}/{message.message_id}", message.state)
        return verdict
