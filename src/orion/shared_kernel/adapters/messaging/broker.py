"""What the relay and the consumers need from a broker; RabbitMQ and in-process implement it.

A ``Subscription`` is one consuming module's interest in one producing module's events; on
RabbitMQ it is one queue, ``<consumer>.<producer>``, bound to the wire names it handles.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from orion.shared_kernel.adapters.messaging.envelope import Envelope

Handle = Callable[[Envelope], Awaitable[None]]


class BrokerUnavailable(ConnectionError):
    """The broker cannot be reached at all: nothing was published, nothing is the rows' fault."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    consumer: str
    producer: str
    types: frozenset[str]
    handle: Handle

    @property
    def queue(self) -> str:
        return f"{self.consumer}.{self.producer}"


class Publisher(Protocol):
    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        """Per envelope, ``None`` once the broker holds it, or why it does not (unroutable,
        refused, a local consumer failed). Raises ``BrokerUnavailable`` if nothing can be sent."""


class Broker(Publisher, Protocol):
    """What the composition root uses, whichever broker runs: RabbitMQ, or the embedded
    default's in-process one (``durable`` false: no queues of its own, so no dead letters,
    nothing to check, and consumers only in this process)."""

    durable: bool

    async def start(self, subscriptions: Iterable[Subscription]) -> None: ...

    async def stop(self) -> None:
        """Takes no new message, lets the ones in flight finish (bounded), then returns."""

    async def ping(self) -> None:
        """Raises if the broker cannot be reached (readiness)."""

    async def dead_letter_depths(self) -> dict[str, int]:
        """Messages in each dead-letter queue."""

    async def close(self) -> None: ...


def subscribed_types(subscriptions: Iterable[Subscription]) -> frozenset[str]:
    return frozenset(t for subscription in subscriptions for t in subscription.types)
