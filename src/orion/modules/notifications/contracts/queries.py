"""What other modules may ask the notifications module, through the mediator: the emails
it logged, for the consistency auditor (``orion audit``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Query

# The events about an order that the customer is told of by email (the module's policies;
# a unit test keeps the two equal).
EMAILED_ORDER_EVENTS = frozenset(
    {
        "ordering.order_placed.v1",
        "ordering.order_paid.v1",
        "ordering.order_shipped.v1",
        "ordering.order_cancelled.v1",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailsAbout:
    """The events about one subject (an order) that have an entry in the log: sent, or
    failed and on the retry ladder."""

    subject_id: uuid.UUID
    event_types: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GetEmailsAbout(Query[list[EmailsAbout]]):
    """The logged emails about these subjects (order ids); one without any is left out."""

    subject_ids: tuple[uuid.UUID, ...]
