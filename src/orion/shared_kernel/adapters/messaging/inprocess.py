"""The embedded default's broker: delivery is a call into each subscribed module's consumer.

Same promise as RabbitMQ: at least once. ``publish`` answers ``None`` for a message only
after every local consumer subscribed to it has committed it; otherwise the outbox row stays
pending and the relay tries again later (the inbox drops what a consumer already has), so a
crash of the process loses nothing. The outbox's attempts, backoff and parking stand in for
RabbitMQ's retry ladder and dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.envelope import Envelope


class InProcessBroker:
    durable = False

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    async def ping(self) -> None:
        """Always here: it is this process."""

    async def dead_letter_depths(self) -> dict[str, int]:
        return {}  # a message it cannot deliver stays in the outbox, parked

    async def close(self) -> None:
        await self.stop()

    async def start(self, subscriptions: Iterable[Subscription]) -> None:
        self._subscriptions.extend(subscriptions)

    async def stop(self) -> None:
        self._subscriptions = []

    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        outcomes: list[BaseException | None] = []
        for envelope in envelopes:
            try:
                for subscription in self._subscriptions:
                    if (
                        subscription.producer == envelope.source
                        and envelope.type in subscription.types
                    ):
                        await subscription.handle(envelope)
            except Exception as error:  # the row stays pending; the relay records why
                outcomes.append(error)
            else:
                outcomes.append(None)
        return outcomes
