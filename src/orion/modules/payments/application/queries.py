"""The payments module's query handlers."""

from __future__ import annotations

from orion.modules.payments.contracts.queries import GetOrderPayment, OrderPayment

from .ports import PaymentsReadModel


class PaymentQueries:
    def __init__(self, read_model: PaymentsReadModel) -> None:
        self._read_model = read_model

    async def get_order_payment(self, query: GetOrderPayment) -> OrderPayment | None:
        return await self._read_model.of_order(query.order_id)
