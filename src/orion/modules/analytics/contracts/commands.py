"""What the CLI may send the analytics module."""

from __future__ import annotations

from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuilt:
    orders: int
    payments: int
    customers: int
    products: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildAnalytics(Command[Rebuilt]):
    """Makes the read model again from the other modules' contracts queries (never their
    tables): for a shop that adds the module late or loses its tables. Idempotent: a second
    run gives the same figures."""
