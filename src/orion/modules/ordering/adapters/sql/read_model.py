"""The read side: order details from the write tables, the history from ``order_summaries``
with filters and keyset pagination that stays stable under inserts."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.ordering.application.queries import (
    ListOrders,
    OrderPage,
    OrderSummaryView,
    OrderView,
    order_view,
)
from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderDeliveredV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.modules.ordering.contracts.queries import (
    ListOrderRecords,
    OrderEvents,
    OrderRecord,
    OrderRecordLine,
    OrderRecordStep,
    OrderState,
)
from orion.modules.ordering.domain.cart import Cart
from orion.modules.ordering.domain.errors import OrderNotFound
from orion.modules.ordering.domain.order import OrderStatus
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.application.consistency import ChangedBetween
from orion.shared_kernel.application.unit_of_work import A
from orion.shared_kernel.domain.money import Money

from .tables import order_history, order_lines, order_summaries, orders
from .unit_of_work import CART_OF_CUSTOMER, SqlOrderRepository, load_cart

_SORT_KEYS: dict[str, sa.Column[Any]] = {
    "created_at": order_summaries.c.placed_at,
    "total": order_summaries.c.total_amount,
    "status": order_summaries.c.status,
}


class SqlOrderingReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def get_order(self, order_id: uuid.UUID, customer_id: uuid.UUID | None) -> OrderView:
        async with self._engine.connect() as connection:
            order = await SqlOrderRepository(connection, _untracked).get(order_id)
        if customer_id is not None and order.customer.id != customer_id:
            raise OrderNotFound(f"no order {order_id}")  # another's order is not there at all
        return order_view(order)

    async def cart_of(self, customer_id: uuid.UUID) -> Cart | None:
        async with self._engine.connect() as connection:
            return await load_cart(
                connection, CART_OF_CUSTOMER, for_update=False, customer_id=customer_id
            )

    async def order_records(self, query: ListOrderRecords) -> list[OrderRecord]:
        """One page of orders by id, with their lines and history: three statements."""
        statement = sa.select(orders).order_by(orders.c.id).limit(query.limit)
        if query.after is not None:
            statement = statement.where(orders.c.id > query.after)
        async with self._engine.connect() as connection:
            found = (await connection.execute(statement)).all()
            ids = [row.id for row in found]
            lines = await connection.execute(
                sa.select(order_lines)
                .where(order_lines.c.order_id.in_(ids))
                .order_by(order_lines.c.order_id, order_lines.c.position)
            )
            steps = await connection.execute(
                sa.select(order_history)
                .where(order_history.c.order_id.in_(ids))
                .order_by(order_history.c.order_id, order_history.c.position)
            )
        lines_of: dict[uuid.UUID, list[OrderRecordLine]] = {order_id: [] for order_id in ids}
        for line in lines:
            lines_of[line.order_id].append(
                OrderRecordLine(
                    product_id=line.product_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_amount=line.unit_price_amount,
                )
            )
        history_of: dict[uuid.UUID, list[OrderRecordStep]] = {order_id: [] for order_id in ids}
        for step in steps:
            history_of[step.order_id].append(
                OrderRecordStep(status=step.status, at=step.at, reason=step.reason)
            )
        return [
            OrderRecord(
                order_id=row.id,
                customer_id=row.customer_id,
                currency=row.currency,
                total_amount=row.total_amount,
                placed_at=row.placed_at,
                lines=lines_of[row.id],
                history=history_of[row.id],
            )
            for row in found
        ]

    async def list_orders(self, query: ListOrders) -> OrderPage:
        summaries = order_summaries.c
        descending = query.sort.startswith("-")
        key = _SORT_KEYS[query.sort.lstrip("-")]
        statement = sa.select(order_summaries)
        if query.customer_id is not None:
            statement = statement.where(summaries.customer_id == query.customer_id)
        if query.statuses:
            statement = statement.where(summaries.status.in_([s.value for s in query.statuses]))
        if query.created_from is not None:
            statement = statement.where(summaries.placed_at >= query.created_from)
        if query.created_to is not None:
            statement = statement.where(summaries.placed_at < query.created_to)
        if query.min_total is not None:
            statement = statement.where(summaries.total_amount >= query.min_total)
        if query.max_total is not None:
            statement = statement.where(summaries.total_amount <= query.max_total)
        if query.q:
            pattern = keyset.contains(query.q)
            statement = statement.where(
                sa.or_(
                    summaries.number.ilike(pattern, escape="\\"),
                    summaries.product_names.ilike(pattern, escape="\\"),
                )
            )
        if query.customer_email is not None:
            statement = statement.where(
                sa.func.lower(summaries.customer_email) == query.customer_email.lower()
            )
        if query.cursor is not None:
            statement = statement.where(
                keyset.after(key, summaries.id, query.cursor, descending=descending)
            )
        statement = statement.order_by(
            *keyset.order_by(key, summaries.id, descending=descending)
        ).limit(query.limit + 1)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return OrderPage(
            items=[_summary(row) for row in rows[: query.limit]],
            next_cursor=keyset.next_cursor(list(rows), key, query.limit),
        )

    async def changed(self, statuses: tuple[str, ...], window: ChangedBetween) -> list[OrderState]:
        summaries = order_summaries.c
        statement = keyset.changed_between(
            _STATE.where(keyset.one_of(summaries.status, statuses)),
            summaries.updated_at,
            summaries.id,
            window,
        )
        return await keyset.fetch_as(self._engine, statement, OrderState)

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[OrderState]:
        return await keyset.fetch_as(
            self._engine, _STATE.where(keyset.one_of(order_summaries.c.id, order_ids)), OrderState
        )

    async def events_of(self, order_ids: tuple[uuid.UUID, ...]) -> list[OrderEvents]:
        statement = (
            sa.select(order_history.c.order_id, sa.func.string_agg(order_history.c.status, " "))
            .where(keyset.one_of(order_history.c.order_id, order_ids))
            .group_by(order_history.c.order_id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            OrderEvents(order_id=order, event_types=tuple(_PUBLISHED[s] for s in moves.split()))
            for order, moves in rows
        ]


# The event each move of the history published (``application/events.py`` maps the same).
_PUBLISHED: dict[str, str] = {
    OrderStatus.PENDING.value: OrderPlacedV1.wire_name,
    OrderStatus.AWAITING_PAYMENT.value: OrderAwaitingPaymentV1.wire_name,
    OrderStatus.PAID.value: OrderPaidV1.wire_name,
    OrderStatus.SHIPPED.value: OrderShippedV1.wire_name,
    OrderStatus.DELIVERED.value: OrderDeliveredV1.wire_name,
    OrderStatus.CANCELLED.value: OrderCancelledV1.wire_name,
}

_STATE = sa.select(
    order_summaries.c.id.label("order_id"),
    order_summaries.c.status,
    order_summaries.c.currency,
    order_summaries.c.total_amount,
    order_summaries.c.updated_at.label("changed_at"),
)


def _untracked(aggregate: A) -> A:
    """A read commits nothing: what an order recorded is nobody's to publish here."""
    return aggregate


def _summary(row: Any) -> OrderSummaryView:
    return OrderSummaryView(
        id=row["id"],
        number=row["number"],
        status=OrderStatus(row["status"]),
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        total=Money(amount=row["total_amount"], currency=row["currency"]),
        item_count=row["item_count"],
        placed_at=row["placed_at"],
        updated_at=row["updated_at"],
    )
