"""The analytics module's ports: the facts it keeps (written by its policies and by the
rebuild, in one way), and the figures read from them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from orion.modules.analytics.contracts.queries import GetOverview, Overview
from orion.shared_kernel.application.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFact:
    """What every order event says of its order."""

    order_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    total_amount: int


class Line(Protocol):
    """An order line as ordering's event and its record both say it."""

    @property
    def product_id(self) -> uuid.UUID: ...
    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def unit_price_amount(self) -> int: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class LineFact:
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price_amount: int

    @classmethod
    def of(cls, line: Line) -> LineFact:
        return cls(
            product_id=line.product_id,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price_amount=line.unit_price_amount,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFact:
    payment_id: uuid.UUID
    order_id: uuid.UUID
    currency: str
    amount: int


class Facts(Protocol):
    """Each write is idempotent and commutes with the others (a step's time is kept once, a
    stock change is a delta, a product's name is kept from its newest version), so a
    redelivered or late event changes nothing it should not."""

    async def order_placed(self, order: OrderFact, lines: list[LineFact], at: datetime) -> None: ...

    async def order_moved(
        self, order: OrderFact, status: str, at: datetime, reason: str | None = None
    ) -> None:
        """``status``: ``awaiting_payment``, ``paid``, ``shipped``, ``delivered`` or
        ``cancelled`` (with its ``reason``)."""

    async def payment_settled(
        self, payment: PaymentFact, outcome: str, at: datetime, reason: str | None = None
    ) -> None:
        """``outcome``: ``captured``, ``failed`` (``reason``: the decline code) or
        ``refunded``."""

    async def customer_registered(self, customer_id: uuid.UUID, at: datetime) -> None: ...

    async def product_named(
        self, product_id: uuid.UUID, *, version: int, sku: str, name: str, active: bool
    ) -> None: ...

    async def product_deleted(self, product_id: uuid.UUID, *, version: int) -> None: ...

    async def stock_changed(self, product_id: uuid.UUID, delta: int) -> None: ...

    async def forget_everything(self) -> None:
        """Empties the read model (the inbox is kept): the rebuild's first step."""


class AnalyticsUnitOfWork(UnitOfWork, Protocol):
    facts: Facts


class AnalyticsReadModel(Protocol):
    """The figures: SQL's work over the facts, proven by the integration tests."""

    async def overview(self, query: GetOverview) -> Overview: ...
