"""The Cart: what a guest or a customer means to buy, before prices are fixed at checkout.

A guest cart is found by its token (only its hash is stored); a customer's cart by the
customer. Merging a guest cart into a customer's adds quantities, capped, and closes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.domain.aggregate import AggregateRoot

from .errors import CartFull, InvalidCart

MAX_QUANTITY = 99
MAX_LINES = 100


@dataclass(slots=True, kw_only=True)
class CartLine:
    product_id: uuid.UUID
    quantity: int
    added_at: datetime


class Cart(AggregateRoot):
    """Records no events: nothing outside ordering hears of a cart (``application/events.py``)."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        customer_id: uuid.UUID | None,
        lines: dict[uuid.UUID, CartLine],
        created_at: datetime,
        updated_at: datetime,
        version: int = 0,
        closed: bool = False,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.customer_id = customer_id
        self.lines = lines
        self.created_at = created_at
        self.updated_at = updated_at
        self.closed = closed

    @classmethod
    def open(cls, *, id: uuid.UUID, customer_id: uuid.UUID | None, now: datetime) -> Cart:
        return cls(id=id, customer_id=customer_id, lines={}, created_at=now, updated_at=now)

    def set_quantity(self, product_id: uuid.UUID, quantity: int, *, now: datetime) -> None:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidCart(f"quantity must be 1 to {MAX_QUANTITY}")
        line = self.lines.get(product_id)
        if line is None:
            if len(self.lines) >= MAX_LINES:
                raise CartFull(f"a cart holds at most {MAX_LINES} lines")
            self.lines[product_id] = CartLine(
                product_id=product_id, quantity=quantity, added_at=now
            )
        else:
            line.quantity = quantity
        self._touch(now)

    def remove(self, product_id: uuid.UUID, *, now: datetime) -> None:
        """Removing a product that is not in the cart changes nothing."""
        if self.lines.pop(product_id, None) is not None:
            self._touch(now)

    def clear(self, *, now: datetime) -> None:
        if self.lines:
            self.lines.clear()
            self._touch(now)

    def absorb(self, guest: Cart, *, now: datetime) -> None:
        """Takes a guest cart's lines: quantities add up to at most ``MAX_QUANTITY``; lines
        beyond ``MAX_LINES`` are left out. The guest cart is closed: absorbing it again
        changes nothing."""
        if guest.closed or guest is self:
            return
        for product_id, line in sorted(guest.lines.items(), key=lambda item: item[1].added_at):
            mine = self.lines.get(product_id)
            if mine is not None:
                mine.quantity = min(MAX_QUANTITY, mine.quantity + line.quantity)
            elif len(self.lines) < MAX_LINES:
                self.lines[product_id] = CartLine(
                    product_id=product_id, quantity=line.quantity, added_at=line.added_at
                )
        guest.closed = True
        guest._touch(now)
        self._touch(now)

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self._changed()
