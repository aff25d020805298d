"""An email to send: who, what, and the key that makes sending it twice a no-op."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

# Namespace of the deterministic email ids: uuid5(namespace, "<message id>:<recipient>").
EMAIL_IDS = uuid.UUID("6f2b1c3e-9a57-4f0e-8c2d-5b7a1e4d9c10")


class EmailStatus(enum.StrEnum):
    """Where an email stands in the notification log: ``sent`` is final; ``failed`` is
    tried again when its message comes back from the retry ladder."""

    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Email:
    id: uuid.UUID
    to: str
    subject: str
    text: str
    html: str
    template: str
    # the event it answers, when the consistency auditor looks for it (an order's emails)
    event_type: str | None = None
    subject_id: uuid.UUID | None = None

    @staticmethod
    def id_for(message_id: uuid.UUID, recipient: str) -> uuid.UUID:
        """The same event to the same recipient is always the same email."""
        return uuid.uuid5(EMAIL_IDS, f"{message_id}:{recipient.lower()}")
