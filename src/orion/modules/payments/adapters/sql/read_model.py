"""What other modules and admins read of payments."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.payments.application.handlers import order_payment
from orion.modules.payments.contracts.queries import OrderPayment
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import payments
from .unit_of_work import select_payment


class SqlPaymentsReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def of_order(self, order_id: uuid.UUID) -> OrderPayment | None:
        async with self._engine.connect() as connection:
            payment = await select_payment(connection, payments.c.order_id == order_id)
        return None if payment is None else order_payment(payment)
