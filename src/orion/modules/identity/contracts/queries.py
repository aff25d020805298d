"""What other modules may ask the identity module, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orion.shared_kernel.application.messages import Query


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerContact:
    user_id: uuid.UUID
    email: str
    full_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCustomerContact(Query[CustomerContact]):
    """How to reach a customer (for an order's confirmation); raises ``UserNotFound``."""

    user_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRecord:
    """A customer account and when it was registered: what a read model fed by identity's
    ``UserRegisteredV1`` is rebuilt from."""

    user_id: uuid.UUID
    registered_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ListCustomerRecords(Query[list[CustomerRecord]]):
    """Up to ``limit`` customers whose id is after ``after``, by id (an empty list: no more)."""

    after: uuid.UUID | None = None
    limit: int = 500
