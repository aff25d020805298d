"""A failed send outlives the transaction that rolled it back.

The consumer's transaction (inbox row, log row) rolls back when the mailer fails, so the
message can come back from the retry ladder and be tried again. This wrapper runs after that
rollback, with the consumer's connection back in the pool: it records the attempt and the
error in a short transaction of its own, then lets the failure go on to the broker."""

from __future__ import annotations

import structlog

from orion.modules.notifications.application.ports import FailedSends
from orion.modules.notifications.application.sending import EmailNotSent
from orion.shared_kernel.adapters.messaging.broker import Handle
from orion.shared_kernel.adapters.messaging.envelope import Envelope

log = structlog.get_logger("orion.notifications")


def recording_failures(handle: Handle, failures: FailedSends) -> Handle:
    async def recorded(envelope: Envelope) -> None:
        try:
            await handle(envelope)
        except EmailNotSent as failure:
            await failures.record(failure.email, message_id=failure.message_id, error=failure.error)
            log.warning(
                "email_not_sent",
                email_id=str(failure.email.id),
                template=failure.email.template,
                message_id=failure.message_id,
                error=failure.error,
            )
            raise

    return recorded
