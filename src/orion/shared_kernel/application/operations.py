"""What an operator on call reads without a terminal (the admin dashboard's operations
page), and the one thing they may do there: move dead letters back to their queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .messages import Command, Query


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxBacklog:
    module: str
    pending: int
    parked: int
    oldest_pending_age_s: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetterView:
    message_id: str | None
    type: str | None
    attempts: int | None
    error: str | None
    failed_at: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetterQueue:
    queue: str
    messages: int | None  # None: not declared yet
    letters: list[DeadLetterView]


@dataclass(frozen=True, slots=True, kw_only=True)
class Breaker:
    name: str
    state: str  # closed, opened, half-opened


@dataclass(frozen=True, slots=True, kw_only=True)
class RatesFreshness:
    source: str
    fetched_at: datetime | None
    stale: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Operations:
    outboxes: list[OutboxBacklog]
    dead_letters: list[DeadLetterQueue] | None  # None: no broker (the in-process one)
    breakers: list[Breaker]
    rates: RatesFreshness


@dataclass(frozen=True, slots=True, kw_only=True)
class GetOperations(Query[Operations]):
    letters_per_queue: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayDeadLetters(Command[int]):
    """Moves every dead letter of ``queue``'s DLQ back to it (``orion dlq replay``); how many."""

    queue: str
