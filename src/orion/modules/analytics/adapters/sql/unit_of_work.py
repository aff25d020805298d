"""The analytics module's unit of work: its facts, written by upserts that commute (ADR 30),
with the inbox record in the same transaction. The module publishes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.analytics.application.ports import LineFact, OrderFact, PaymentFact
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork

from .tables import customers, inbox, order_lines, orders, outbox, payments, products

ORDER_STEPS = {
    "awaiting_payment": orders.c.awaiting_payment_at,
    "paid": orders.c.paid_at,
    "shipped": orders.c.shipped_at,
    "delivered": orders.c.delivered_at,
    "cancelled": orders.c.cancelled_at,
}
PAYMENT_OUTCOMES = {
    "captured": payments.c.captured_at,
    "failed": payments.c.failed_at,
    "refunded": payments.c.refunded_at,
}


class SqlFacts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def order_placed(self, order: OrderFact, lines: list[LineFact], at: datetime) -> None:
        await self._order(order, orders.c.placed_at, at)
        if lines:
            await self._connection.execute(
                insert(order_lines)
                .values(
                    [
                        {
                            "order_id": order.order_id,
                            "product_id": line.product_id,
                            "sku": line.sku,
                            "name": line.name,
                            "quantity": line.quantity,
                            "unit_price_amount": line.unit_price_amount,
                        }
                        for line in lines
                    ]
                )
                .on_conflict_do_nothing()
            )

    async def order_moved(
        self, order: OrderFact, status: str, at: datetime, reason: str | None = None
    ) -> None:
        extra = {"cancel_reason": reason} if status == "cancelled" else {}
        await self._order(order, ORDER_STEPS[status], at, **extra)

    async def _order(
        self, order: OrderFact, step: sa.Column[datetime], at: datetime, **extra: object
    ) -> None:
        """The order's row with the step's time, kept from the first delivery that told it."""
        row = {
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "currency": order.currency,
            "total_amount": order.total_amount,
            step.name: at,
            **extra,
        }
        statement = insert(orders).values(row)
        keep_first = {step.name: sa.func.coalesce(step, statement.excluded[step.name])}
        keep_first |= {
            name: sa.func.coalesce(orders.c[name], statement.excluded[name]) for name in extra
        }
        await self._connection.execute(
            statement.on_conflict_do_update(index_elements=[orders.c.order_id], set_=keep_first)
        )

    async def payment_settled(
        self, payment: PaymentFact, outcome: str, at: datetime, reason: str | None = None
    ) -> None:
        step = PAYMENT_OUTCOMES[outcome]
        extra = {"failure_reason": reason} if outcome == "failed" else {}
        statement = insert(payments).values(
            payment_id=payment.payment_id,
            order_id=payment.order_id,
            currency=payment.currency,
            amount=payment.amount,
            **{step.name: at},
            **extra,
        )
        keep_first: dict[str, Any] = {
            name: sa.func.coalesce(payments.c[name], statement.excluded[name])
            for name in (step.name, *extra)
        }
        await self._connection.execute(
            statement.on_conflict_do_update(index_elements=[payments.c.payment_id], set_=keep_first)
        )

    async def customer_registered(self, customer_id: uuid.UUID, at: datetime) -> None:
        await self._connection.execute(
            insert(customers)
            .values(customer_id=customer_id, registered_at=at)
            .on_conflict_do_nothing()
        )

    async def product_named(
        self, product_id: uuid.UUID, *, version: int, sku: str, name: str, active: bool
    ) -> None:
        statement = insert(products).values(
            product_id=product_id,
            version=version,
            sku=sku,
            name=name,
            active=active,
            deleted=False,
            stock=0,
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[products.c.product_id],
                set_={
                    "version": statement.excluded.version,
                    "sku": statement.excluded.sku,
                    "name": statement.excluded.name,
                    "active": statement.excluded.active,
                },
                where=products.c.version < statement.excluded.version,
            )
        )

    async def product_deleted(self, product_id: uuid.UUID, *, version: int) -> None:
        statement = insert(products).values(
            product_id=product_id, version=version, active=False, deleted=True, stock=0
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[products.c.product_id],
                set_={"version": statement.excluded.version, "deleted": True},
                where=products.c.version < statement.excluded.version,
            )
        )

    async def stock_changed(self, product_id: uuid.UUID, delta: int) -> None:
        statement = insert(products).values(
            product_id=product_id, version=-1, active=False, deleted=False, stock=delta
        )
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[products.c.product_id],
                set_={"stock": products.c.stock + statement.excluded.stock},
            )
        )

    async def forget_everything(self) -> None:
        tables = (orders, order_lines, payments, customers, products)
        names = ", ".join(f"{table.schema}.{table.name}" for table in tables)
        await self._connection.exec_driver_sql(f"TRUNCATE {names}")


class SqlAnalyticsUnitOfWork(SqlUnitOfWork):
    facts: SqlFacts

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox, inbox)

    def _open(self, connection: AsyncConnection) -> None:
        self.facts = SqlFacts(connection)
