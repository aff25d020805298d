"""The analytics module's fake unit of work: each fact recorded, in order, as a call."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from orion.modules.analytics.application.ports import LineFact, OrderFact, PaymentFact
from tests.fakes.unit_of_work import FakeUnitOfWork


class FakeFacts:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def _record(self, *call: Any) -> None:
        self._uow.table("facts").setdefault("calls", []).append(call)

    async def order_placed(self, order: OrderFact, lines: list[LineFact], at: datetime) -> None:
        self._record("order_placed", order, tuple(lines), at)

    async def order_moved(
        self, order: OrderFact, status: str, at: datetime, reason: str | None = None
    ) -> None:
        self._record("order_moved", order, status, at, reason)

    async def payment_settled(
        self, payment: PaymentFact, outcome: str, at: datetime, reason: str | None = None
    ) -> None:
        self._record("payment_settled", payment, outcome, at, reason)

    async def customer_registered(self, customer_id: uuid.UUID, at: datetime) -> None:
        self._record("customer_registered", customer_id, at)

    async def product_named(
        self, product_id: uuid.UUID, *, version: int, sku: str, name: str, active: bool
    ) -> None:
        self._record("product_named", product_id, version, sku, name, active)

    async def product_deleted(self, product_id: uuid.UUID, *, version: int) -> None:
        self._record("product_deleted", product_id, version)

    async def stock_changed(self, product_id: uuid.UUID, delta: int) -> None:
        self._record("stock_changed", product_id, delta)

    async def forget_everything(self) -> None:
        self._uow.table("facts").clear()


class FakeAnalyticsUnitOfWork(FakeUnitOfWork):
    @property
    def facts(self) -> FakeFacts:
        return FakeFacts(self)

    @property
    def recorded(self) -> list[tuple[Any, ...]]:
        """The facts committed, in the order they were recorded."""
        return list(self.committed.get("facts", {}).get("calls", []))
