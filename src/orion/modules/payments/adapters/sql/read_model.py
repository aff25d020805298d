"""What other modules and admins read of payments."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.payments.application.handlers import order_payment
from orion.modules.payments.contracts.queries import OrderPayment, PaymentState
from orion.shared_kernel.adapters.sql import keyset
from orion.shared_kernel.adapters.sql.engine import autocommit
from orion.shared_kernel.application.consistency import ChangedBetween

from .tables import payments
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


_STATE = sa.select(
    payments.c.order_id,
    payments.c.id.label("payment_id"),
    payments.c.status,
    payments.c.amount,
    payments.c.currency,
    payments.c.updated_at.label("changed_at"),
)
