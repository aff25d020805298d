"""A consuming module's side of a subscription: decode, deduplicate through the inbox, run
the module's policy, commit; all in the module's own transaction.

The policy runs with the message's correlation id and the message as causation, inside a
span that continues the publisher's trace, so what it logs and publishes joins the same story
in the logs and traces.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog

from orion.shared_kernel.adapters.messaging.broker import Handle, Subscription
from orion.shared_kernel.adapters.messaging.envelope import Envelope, UndecodableMessage
from orion.shared_kernel.adapters.metrics import CONSUMER_DURATION, CONSUMER_MESSAGES
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork
from orion.shared_kernel.adapters.telemetry import consumer_span
from orion.shared_kernel.application import context
from orion.shared_kernel.application.messages import IntegrationEvent

Policy = Callable[[Any, Any], Awaitable[None]]  # (event, the module's unit of work)
Reaction = Callable[[Any, Envelope], Awaitable[None]]  # (event, its envelope)

log = structlog.get_logger("orion.consumer")


def subscription(
    *,
    consumer: str,
    producer: str,
    uow: Callable[[], SqlUnitOfWork],
    policies: Mapping[type[IntegrationEvent], Policy],
) -> Subscription:
    """The consumer's interest in the producer's events, each handled by its policy through
    the consumer's inbox."""
    return Subscription(
        consumer=consumer,
        producer=producer,
        types=frozenset(event_type.wire_name for event_type in policies),
        handle=inbox_handler(consumer=consumer, uow=uow, policies=policies),
    )


def inbox_handler(
    *,
    consumer: str,
    uow: Callable[[], SqlUnitOfWork],
    policies: Mapping[type[IntegrationEvent], Policy],
) -> Handle:
    """Each policy runs in the inbox's transaction: the effect and the record that the message
    was handled commit together."""

    def in_inbox_transaction(policy: Policy) -> Reaction:
        async def react(event: IntegrationEvent, envelope: Envelope) -> None:
            async with uow() as work:
                if not await work.first_delivery(consumer, envelope.message_id, envelope.type):
                    log.info("message_duplicate")
                    return
                await policy(event, work)
                await work.commit()

        return react

    return message_handler(
        consumer=consumer,
        reactions={
            event_type: in_inbox_transaction(policy) for event_type, policy in policies.items()
        },
    )


def message_handler(
    *, consumer: str, reactions: Mapping[type[IntegrationEvent], Reaction]
) -> Handle:
    """Decodes the message and runs its reaction with the message's correlation id and the
    message as causation. A reaction given here keeps its own transactions and its own
    inbox record: for effects outside the database (a payment provider's charge) that must
    not hold a transaction open."""
    by_wire_name = {
        event_type.wire_name: (event_type, reaction) for event_type, reaction in reactions.items()
    }

    async def handle(envelope: Envelope) -> None:
        try:
            event_type, reaction = by_wire_name[envelope.type]
        except KeyError:
            raise UndecodableMessage(f"{consumer} handles no {envelope.type!r}") from None
        event = event_type.from_payload(envelope.payload)
        correlation = context.correlation_id.set(envelope.correlation_id)
        causation = context.causation_id.set(str(envelope.message_id))
        started = time.perf_counter()
        try:
            with (
                consumer_span(
                    f"{consumer} process {envelope.type}",
                    envelope.traceparent,
                    envelope.tracestate,
                    **{
                        "messaging.system": "orion",
                        "messaging.operation.type": "process",
                        "messaging.destination.name": envelope.type,
                        "messaging.message.id": str(envelope.message_id),
                        "messaging.consumer.group.name": consumer,
                    },
                ),
                structlog.contextvars.bound_contextvars(
                    consumer=consumer,
                    module=consumer.partition(".")[0],
                    request_id=str(envelope.message_id),  # what this process was asked to do
                    message_id=str(envelope.message_id),
                    message_type=envelope.type,
                    correlation_id=envelope.correlation_id,
                ),
            ):
                await reaction(event, envelope)
                log.debug("message_consumed")
            CONSUMER_MESSAGES.labels(consumer, "processed").inc()
        finally:
            CONSUMER_DURATION.labels(consumer).observe(time.perf_counter() - started)
            context.correlation_id.reset(correlation)
            context.causation_id.reset(causation)

    return handle
