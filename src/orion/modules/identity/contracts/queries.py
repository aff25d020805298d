"""What other modules may ask the identity module, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

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
