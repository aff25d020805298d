"""What other modules and admins read of payments."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.payments.contracts.queries import OrderPayment, PaymentAttemptView
from orion.shared_kernel.adapters.sql.engine import autocommit

from .unit_of_work import SqlPaymentRepository


class SqlPaymentsReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def of_order(self, order_id: uuid.UUID) -> OrderPayment | None:
        async with self._engine.connect() as connection:
            payment = await SqlPaymentRepository(connection).of_order(order_id, for_update=False)
        if payment is None:
            return None
        return OrderPayment(
            payment_id=payment.id,
            status=payment.status.value,
            amount=payment.amount.amount,
            currency=payment.amount.currency,
            provider=payment.provider,
            provider_reference=payment.provider_reference,
            failure_reason=payment.failure_reason,
            attempts=[
                PaymentAttemptView(
                    number=attempt.number,
                    at=attempt.at,
                    step=attempt.step.value,
                    outcome=attempt.outcome,
                    detail=attempt.detail,
                )
                for attempt in payment.attempts
            ],
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )
