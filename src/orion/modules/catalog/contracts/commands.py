"""What the composition root and the CLI may ask the catalog to do, through the mediator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedDemoCatalog(Command[int]):
    """Creates the demo products that do not exist yet; answers how many it created.
    ``only_if_empty`` leaves a shop that already sells something as it is."""

    only_if_empty: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseReservation(Command[bool]):
    """Gives back the stock the order's reservation still holds, as the order's cancellation
    would have (the consistency auditor's repair of a reservation left holding stock for an
    order that no longer wants it). Answers whether it held any: a second release is a no-op."""

    order_id: uuid.UUID
