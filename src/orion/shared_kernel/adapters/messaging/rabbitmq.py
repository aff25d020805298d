"""RabbitMQ through aio-pika: confirmed, mandatory publishing; consumers with a retry ladder
of delay queues and a dead-letter queue per queue.

Topology (declared idempotently by whoever starts first):

- topic exchange ``orion.events``; routing key = the event's wire name;
- per subscription a quorum queue ``<consumer>.<producer>`` bound to its wire names;
- ``<queue>.retry.<delay>ms``: a delay queue per rung of the ladder, whose messages expire
  after ``delay`` back into ``<queue>`` (dead-lettering at least once). Named by its delay, so
  that changing ``ORION_RETRY_DELAYS_MS`` declares new queues instead of clashing with the
  TTL of the old ones (a queue's arguments cannot change); an old rung drains and stays idle;
- ``<queue>.dlq``: where a message lands after the last attempt, or at once when it cannot be
  decoded, with its original headers plus ``x-orion-error`` and ``x-orion-attempts``.

A failed message is re-published to the next delay queue (confirmed) before it is acked, so
a crash in between redelivers it rather than losing it; the inbox makes that harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import aio_pika
import aiormq
import orjson
import structlog
from aio_pika import DeliveryMode, ExchangeType, Message
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from orion.shared_kernel.adapters.messaging.broker import Broker, BrokerUnavailable, Subscription
from orion.shared_kernel.adapters.messaging.envelope import Envelope, UndecodableMessage
from orion.shared_kernel.adapters.messaging.inprocess import InProcessBroker
from orion.shared_kernel.adapters.metrics import CONSUMER_MESSAGES
from orion.shared_kernel.adapters.settings import PlatformSettings

EXCHANGE = "orion.events"
ATTEMPTS_HEADER = "x-orion-attempts"
ERROR_HEADER = "x-orion-error"
FAILED_AT_HEADER = "x-orion-failed-at"
PUBLISH_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 10.0  # in-flight messages still unacked then go back to their queue

log = structlog.get_logger("orion.rabbitmq")

# Errors that mean the connection or channel is gone, not that a message was refused.
_UNAVAILABLE = (
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    aiormq.exceptions.ChannelClosed,
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
    RuntimeError,  # aio-pika raises it for a channel used while reconnecting
)


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dlq"


def to_amqp(envelope: Envelope, **extra_headers: Any) -> Message:
    headers: dict[str, Any] = {
        "x-orion-source": envelope.source,
        "x-orion-causation-id": envelope.causation_id,
        "x-orion-aggregate-id": str(envelope.aggregate_id),
        "x-orion-aggregate-version": envelope.aggregate_version,
        "x-orion-occurred-at": envelope.occurred_at.isoformat(),
        "traceparent": envelope.traceparent,
        "tracestate": envelope.tracestate,
        **extra_headers,
    }
    return Message(
        orjson.dumps(envelope.payload),
        message_id=str(envelope.message_id),
        type=envelope.type,
        correlation_id=envelope.correlation_id,
        content_type="application/json",
        delivery_mode=DeliveryMode.PERSISTENT,
        timestamp=envelope.occurred_at,
        headers={key: value for key, value in headers.items() if value is not None},
    )


def from_amqp(message: AbstractIncomingMessage) -> Envelope:
    headers = message.headers or {}
    try:
        return Envelope(
            message_id=_uuid(message.message_id),
            type=str(message.type),
            occurred_at=datetime.fromisoformat(_text(headers["x-orion-occurred-at"])),
            correlation_id=message.correlation_id,
            causation_id=header_text(headers.get("x-orion-causation-id")),
            traceparent=header_text(headers.get("traceparent")),
            tracestate=header_text(headers.get("tracestate")),
            aggregate_id=_uuid(headers["x-orion-aggregate-id"]),
            aggregate_version=int(_text(headers["x-orion-aggregate-version"])),
            payload=orjson.loads(message.body),
            source=_text(headers.get("x-orion-source", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UndecodableMessage(f"not an Orion envelope: {error!r}") from None


class RabbitMQ:
    """One robust connection per process: a confirmed publishing channel, and one consuming
    channel per started consumer set.

    ``topology``: every subscription of the deployment. A publisher declares all their
    queues before its first message, so that an event published before a consumer's first
    start is kept for it. Otherwise a queue not yet declared would miss it silently, as long
    as another consumer's queue took it (the broker returns a message only when no queue
    does)."""

    durable = True

    def __init__(
        self,
        url: str,
        *,
        prefetch: int = 32,
        retry_delays_ms: Sequence[int] = (),
        topology: Sequence[Subscription] = (),
    ) -> None:
        self._url = url
        self._topology = tuple(topology)
        self._topology_declared = not self._topology
        self._prefetch = prefetch
        self._retry_delays_ms = tuple(retry_delays_ms)
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()
        self._consume_channel: AbstractChannel | None = None
        self._consumers: list[tuple[AbstractQueue, str]] = []
        self._in_flight: set[asyncio.Task[None]] = set()

    @property
    def max_attempts(self) -> int:
        return len(self._retry_delays_ms) + 1

    async def connect(self) -> None:
        async with self._lock:
            if self._connection is None:
                try:
                    self._connection = await aio_pika.connect_robust(
                        self._url,
                        timeout=PUBLISH_TIMEOUT_S,
                        client_properties={"connection_name": "orion"},
                    )
                except _UNAVAILABLE as error:
                    raise BrokerUnavailable(f"RabbitMQ unreachable: {error!r}") from error
            if self._publish_channel is None or self._publish_channel.is_closed:
                self._publish_channel = await self._connection.channel(
                    publisher_confirms=True, on_return_raises=True
                )
                self._exchange = await self._publish_channel.declare_exchange(
                    EXCHANGE, ExchangeType.TOPIC, durable=True
                )

    async def ping(self) -> None:
        await self.connect()
        assert self._connection is not None
        if self._connection.is_closed:
            raise BrokerUnavailable("the RabbitMQ connection is closed")

    async def close(self) -> None:
        await self.stop()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
            self._publish_channel = None
            self._exchange = None

    # -- publishing ------------------------------------------------------------------------

    async def publish(self, envelopes: Sequence[Envelope]) -> list[BaseException | None]:
        try:
            await self.connect()
            if not self._topology_declared:
                await self.declare(self._topology)
                self._topology_declared = True
        except _UNAVAILABLE as error:
            raise BrokerUnavailable(f"RabbitMQ unreachable: {error!r}") from error
        exchange = self._exchange
        assert exchange is not None
        results = await asyncio.gather(
            *(
                exchange.publish(
                    to_amqp(envelope), envelope.type, mandatory=True, timeout=PUBLISH_TIMEOUT_S
                )
                for envelope in envelopes
            ),
            return_exceptions=True,
        )
        outcomes: list[BaseException | None] = []
        for result in results:
            if isinstance(result, aiormq.exceptions.DeliveryError):  # returned or nacked
                outcomes.append(result)
            elif isinstance(result, _UNAVAILABLE):
                raise BrokerUnavailable(f"RabbitMQ went away while publishing: {result!r}")
            elif isinstance(result, BaseException):
                raise result
            else:
                outcomes.append(None)
        return outcomes

    async def _publish_to_queue(self, message: Message, queue: str) -> None:
        await self.connect()
        assert self._publish_channel is not None
        await self._publish_channel.default_exchange.publish(
            message, queue, mandatory=True, timeout=PUBLISH_TIMEOUT_S
        )

    # -- topology --------------------------------------------------------------------------

    async def declare(self, subscriptions: Iterable[Subscription]) -> None:
        """Declares the exchange and each subscription's queues and bindings, idempotently."""
        await self.connect()
        channel = self._publish_channel
        assert channel is not None
        assert self._exchange is not None
        for subscription in subscriptions:
            queue = await channel.declare_queue(
                subscription.queue, durable=True, arguments=_main_queue_arguments(subscription)
            )
            for wire_name in sorted(subscription.types):
                await queue.bind(self._exchange, routing_key=wire_name)
            for delay in self._retry_delays_ms:
                await channel.declare_queue(
                    retry_queue(subscription.queue, delay),
                    durable=True,
                    arguments={
                        "x-queue-type": "quorum",
                        "x-message-ttl": delay,
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": subscription.queue,
                        "x-dead-letter-strategy": "at-least-once",
                        "x-overflow": "reject-publish",
                    },
                )
            await channel.declare_queue(
                dead_letter_queue(subscription.queue),
                durable=True,
                arguments={"x-queue-type": "quorum"},
            )

    async def dead_letter_depths(self) -> dict[str, int]:
        """Messages waiting in each subscription's dead-letter queue (for metrics); a queue
        not declared yet holds none."""
        await self.connect()
        assert self._connection is not None
        depths: dict[str, int] = {}
        for subscription in self._topology:
            queue = dead_letter_queue(subscription.queue)
            # a passive declaration of a missing queue closes its channel: one per queue
            channel = await self._connection.channel()
            try:
                declared = await channel.declare_queue(queue, passive=True)
                depths[queue] = declared.declaration_result.message_count or 0
            except aiormq.exceptions.ChannelNotFoundEntity:
                depths[queue] = 0
            finally:
                if not channel.is_closed:
                    await channel.close()
        return depths

    # -- consuming -------------------------------------------------------------------------

    async def start(self, subscriptions: Iterable[Subscription]) -> None:
        subscriptions = list(subscriptions)
        await self.declare(subscriptions)
        assert self._connection is not None
        self._consume_channel = await self._connection.channel()
        await self._consume_channel.set_qos(prefetch_count=self._prefetch)
        for subscription in subscriptions:
            # declared (not looked up) on this channel too, so that the robust channel
            # declares it again and resumes consuming after a reconnection
            queue = await self._consume_channel.declare_queue(
                subscription.queue, durable=True, arguments=_main_queue_arguments(subscription)
            )
            tag = await queue.consume(self._callback(subscription))
            self._consumers.append((queue, tag))
            log.info("consumer_started", queue=subscription.queue)

    async def stop(self) -> None:
        for queue, tag in self._consumers:
            with contextlib.suppress(*_UNAVAILABLE):  # a channel gone delivers nothing more
                await queue.cancel(tag)
        self._consumers = []
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=DRAIN_TIMEOUT_S)
        if self._consume_channel is not None and not self._consume_channel.is_closed:
            await self._consume_channel.close()  # unacked messages go back to their queues
        self._consume_channel = None

    def _callback(self, subscription: Subscription) -> Any:
        async def on_message(message: AbstractIncomingMessage) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._in_flight.add(task)
            try:
                await self._process(subscription, message)
            finally:
                self._in_flight.discard(task)

        return on_message

    async def _process(self, subscription: Subscription, message: AbstractIncomingMessage) -> None:
        attempts = _attempts(message) + 1
        try:
            envelope = from_amqp(message)
        except UndecodableMessage as error:
            await self._dead_letter(subscription, message, attempts, str(error))
            return
        try:
            await subscription.handle(envelope)
        except Exception as error:  # any failure goes down the ladder; none is swallowed
            reason = f"{type(error).__name__}: {error}"[:1000]
            log.warning(
                "message_failed",
                queue=subscription.queue,
                module=subscription.consumer,
                message_id=str(envelope.message_id),
                correlation_id=envelope.correlation_id,
                # the trace the failed attempt belongs to (its span has ended)
                trace_id=(envelope.traceparent or "--").split("-")[1] or None,
                attempt=attempts,
                error=reason,
            )
            if attempts >= self.max_attempts:
                await self._dead_letter(subscription, message, attempts, reason)
            else:
                delay = self._retry_delays_ms[attempts - 1]
                await self._publish_to_queue(
                    _copy(message, attempts, reason), retry_queue(subscription.queue, delay)
                )
                await message.ack()
                CONSUMER_MESSAGES.labels(subscription.consumer, "retried").inc()
            return
        await message.ack()

    async def _dead_letter(
        self,
        subscription: Subscription,
        message: AbstractIncomingMessage,
        attempts: int,
        reason: str,
    ) -> None:
        await self._publish_to_queue(
            _copy(message, attempts, reason), dead_letter_queue(subscription.queue)
        )
        await message.ack()
        CONSUMER_MESSAGES.labels(subscription.consumer, "dead_lettered").inc()
        log.error(
            "message_dead_lettered",
            queue=subscription.queue,
            module=subscription.consumer,
            correlation_id=message.correlation_id,
            message_id=message.message_id,
            attempts=attempts,
            error=reason,
        )


def _main_queue_arguments(subscription: Subscription) -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        # what the broker itself dead-letters (RabbitMQ 4's delivery limit) is kept
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead_letter_queue(subscription.queue),
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def retry_queue(queue: str, delay_ms: int) -> str:
    return f"{queue}.retry.{delay_ms}ms"


def _copy(message: AbstractIncomingMessage, attempts: int, reason: str) -> Message:
    """The message as it came, with the attempt count and the last failure added."""
    headers = dict(message.headers or {})
    headers[ATTEMPTS_HEADER] = attempts
    headers[ERROR_HEADER] = reason
    headers[FAILED_AT_HEADER] = datetime.now(UTC).isoformat()
    return copy_message(message, headers)


def copy_message(message: AbstractIncomingMessage, headers: dict[str, Any]) -> Message:
    """A received message to publish again: same body and properties, these headers."""
    return Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        type=message.type,
        correlation_id=message.correlation_id,
        timestamp=message.timestamp,
    )


def _attempts(message: AbstractIncomingMessage) -> int:
    """Failed attempts so far, from our header; a garbled one counts as none."""
    try:
        return int(_text((message.headers or {}).get(ATTEMPTS_HEADER, 0)))
    except ValueError:
        return 0


def _uuid(value: object) -> uuid.UUID:
    return uuid.UUID(_text(value))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def header_text(value: object) -> str | None:
    return None if value is None else _text(value)


def broker_for(settings: PlatformSettings, topology: Callable[[], list[Subscription]]) -> Broker:
    """RabbitMQ at ``ORION_BROKER_URL`` (declaring ``topology()``, every subscription of the
    deployment, before its first publish), or else the embedded default's in-process broker."""
    if settings.broker_url is None:
        return InProcessBroker()
    return RabbitMQ(
        settings.broker_url.get_secret_value(),
        prefetch=settings.consumer_prefetch,
        retry_delays_ms=settings.retry_delays_ms,
        topology=topology(),
    )
