"""The questions only the composition root can answer, since it alone holds every module's
outbox, audit log and queue (``answer_platform_queries``): the operations page's reads and its
replay (every module's outbox, the broker's dead-letter queues, the circuit breakers, the
exchange rates), the audit log of admins' writes, and the auditor's stuck messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging import operations
from orion.shared_kernel.adapters.messaging.operations import ListStuckMessagesHandler
from orion.shared_kernel.adapters.module import ModuleDefinition
from orion.shared_kernel.adapters.sql.audit import SqlAuditLog
from orion.shared_kernel.application.audit import ListAuditLog
from orion.shared_kernel.application.consistency import ListStuckMessages
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from orion.shared_kernel.application.operations import (
    Breaker,
    DeadLetterQueue,
    DeadLetterView,
    GetOperations,
    Operations,
    OutboxBacklog,
    RatesFreshness,
    ReplayDeadLetters,
)
from orion.shared_kernel.domain.errors import NotFound


def answer_platform_queries(
    mediator: InProcessMediator,
    *,
    modules: Sequence[ModuleDefinition[Any]],
    engine: AsyncEngine,
    broker_url: str | None,
    queues: Callable[[], list[str]],
    circuits: Mapping[str, Callable[[], Awaitable[str]]],
    rates: CurrencyConverter,
) -> None:
    outboxes = {module.name: module.outbox for module in modules}
    audit_logs = {module.name: module.audit for module in modules if module.audit is not None}
    desk = OperationsDesk(
        engine=engine,
        outboxes=outboxes,
        broker_url=broker_url,
        queues=queues,
        circuits=circuits,
        rates=rates,
    )
    mediator.register(GetOperations, desk.read)
    mediator.register(ReplayDeadLetters, desk.replay)
    mediator.register(ListAuditLog, SqlAuditLog(engine, audit_logs))
    stuck = ListStuckMessagesHandler(
        engine=engine, outboxes=outboxes, broker_url=broker_url, queues=queues
    )
    mediator.register(ListStuckMessages, stuck)


class OperationsDesk:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        outboxes: Mapping[str, sa.Table],
        broker_url: str | None,
        queues: Callable[[], list[str]],
        circuits: Mapping[str, Callable[[], Awaitable[str]]],
        rates: CurrencyConverter,
    ) -> None:
        """``queues``: asked when needed, not here: building the subscriptions builds the
        modules' policies, which a test may first give a fake (a mailer, a gateway)."""
        self._engine, self._outboxes = engine, outboxes
        self._broker_url, self._queues = broker_url, queues
        self._circuits, self._rates = circuits, rates

    async def read(self, query: GetOperations) -> Operations:
        statuses = await operations.outbox_status(self._engine, self._outboxes)
        return Operations(
            outboxes=[
                OutboxBacklog(
                    module=status.module,
                    pending=status.pending,
                    parked=status.parked,
                    oldest_pending_age_s=status.oldest_pending_age_s,
                )
                for status in statuses
            ],
            dead_letters=await self._dead_letters(query.letters_per_queue),
            breakers=[
                Breaker(name=name, state=await read())
                for name, read in sorted(self._circuits.items())
            ],
            rates=RatesFreshness(source=self._rates.source_name, **await self._rates.freshness()),
        )

    async def _dead_letters(self, per_queue: int) -> list[DeadLetterQueue] | None:
        if self._broker_url is None:
            return None
        counts = await operations.dead_letter_counts(self._broker_url, self._queues())
        found = []
        for queue, count in counts.items():
            letters = []
            if count:
                letters = [
                    DeadLetterView(
                        message_id=letter.message_id,
                        type=letter.type,
                        attempts=letter.attempts,
                        error=letter.error,
                        failed_at=letter.failed_at,
                    )
                    for letter in await operations.peek_dead_letters(
                        self._broker_url, queue, per_queue
                    )
                ]
            found.append(DeadLetterQueue(queue=queue, messages=count, letters=letters))
        return found

    async def replay(self, command: ReplayDeadLetters) -> int:
        if self._broker_url is None or command.queue not in self._queues():
            raise NotFound(f"no dead-letter queue of {command.queue!r} here")
        return await operations.replay_dead_letters(self._broker_url, command.queue)
