"""What the composition root and the CLI may ask the catalog to do, through the mediator."""

from __future__ import annotations

from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedDemoCatalog(Command[int]):
    """Creates the demo products that do not exist yet; answers how many it created.
    ``only_if_empty`` leaves a shop that already sells something as it is."""

    only_if_empty: bool = False
