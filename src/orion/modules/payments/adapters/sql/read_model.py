"""What other modules and admins read of payments."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.payments.application.handlers import order_payment
from orion.modules.payments.contracts.queries import (
    ListPaymentRecords,
    OrderPayment,
    PaymentRecord,
    PaymentState,
)
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.application.consistency import ChangedBetween

from .tables import payment_attempts, payments
from .unit_of_work import select_payment


class SqlPaymentsReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def of_order(self, order_id: uuid.UUID) -> OrderPayment | None:
        async with self._engine.connect() as connection:
            payment = await select_payment(connection, payments.c.order_id == order_id)
        return None if payment is None else order_payment(payment)

    async def changed(
        self, statuses: tuple[str, ...], window: ChangedBetween
    ) -> list[PaymentState]:
        statement = keyset.changed_between(
            _STATE.where(keyset.one_of(payments.c.status, statuses)),
            payments.c.updated_at,
            payments.c.order_id,
            window,
        )
        return await keyset.fetch_as(self._engine, statement, PaymentState)

    async def of_orders(self, order_ids: tuple[uuid.UUID, ...]) -> list[PaymentState]:
        return await keyset.fetch_as(
            self._engine, _STATE.where(keyset.one_of(payments.c.order_id, order_ids)), PaymentState
        )

    async def records(self, query: ListPaymentRecords) -> list[PaymentRecord]:
        """Each outcome's time is that of the attempt that recorded it (the time its event
        carries)."""
        attempts = payment_attempts.c

        def first(outcome: str) -> sa.ScalarSelect[Any]:
            return (
                sa.select(sa.func.min(attempts.at))
                .where(attempts.payment_id == payments.c.id, attempts.outcome == outcome)
                .scalar_subquery()
            )

        statement = (
            sa.select(
                payments.c.id,
                payments.c.order_id,
                payments.c.amount,
                payments.c.currency,
                payments.c.failure_reason,
                first("captured").label("captured_at"),
                first("declined").label("failed_at"),
                first("refunded").label("refunded_at"),
            )
            .order_by(payments.c.id)
            .limit(query.limit)
        )
        if query.after is not None:
            statement = statement.where(payments.c.id > query.after)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            PaymentRecord(
                payment_id=row.id,
                order_id=row.order_id,
                amount=row.amount,
                currency=row.currency,
                failure_reason=row.failure_reason,
                captured_at=row.captured_at,
                failed_at=row.failed_at,
                refunded_at=row.refunded_at,
            )
            for row in rows
        ]


_STATE = sa.select(
    payments.c.order_id,
    payments.c.id.label("payment_id"),
    payments.c.status,
    payments.c.amount,
    payments.c.currency,
    payments.c.updated_at.label("changed_at"),
)
