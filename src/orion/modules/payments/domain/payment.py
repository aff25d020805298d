"""The Payment aggregate: one per order, charged with a key that never changes.

    pending ──captured──> captured ──refunded──> refunded
       │  └──declined──> failed                     ^
       └──(order cancelled, no charge found)──> voided ──(a late charge found)──┘ via captured

Each move is idempotent: the provider's answer may come twice (redelivery, reconciliation)
and a move that no longer applies changes nothing.

An order cancelled while its payment is pending or captured sets ``cancel_requested``: a
pending payment is then looked up at the provider (the charge may have gone through with
its answer lost) and voided or refunded; a captured one is refunded. ``next_step`` says what
the provider must be asked next, so every entry point (the order's events, reconciliation)
drives the same state machine.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from orion.shared_kernel.domain.aggregate import AggregateRoot
from orion.shared_kernel.domain.money import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    VOIDED = "voided"


class Step(StrEnum):
    CHARGE = "charge"  # ask the provider to charge (again, with the same key)
    LOOK_UP = "look_up"  # cancelled while pending: was it charged after all?
    REFUND = "refund"  # cancelled once captured


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    number: int
    at: datetime
    step: Step
    outcome: str  # captured, declined, not_found, refunded, error
    detail: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentCaptured:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFailed:
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentRefunded:
    at: datetime


class Payment(AggregateRoot):
    def __init__(
        self,
        *,
        id: uuid.UUID,
        order_id: uuid.UUID,
        amount: Money,
        token: str,
        provider: str,
        status: PaymentStatus,
        cancel_requested: bool,
        provider_reference: str | None,
        refund_reference: str | None,
        failure_reason: str | None,
        attempts: list[Attempt],
        created_at: datetime,
        updated_at: datetime,
        charge_started_at: datetime | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.order_id = order_id
        self.amount = amount
        self.token = token
        self.provider = provider
        self.status = status
        self.cancel_requested = cancel_requested
        self.provider_reference = provider_reference
        self.refund_reference = refund_reference
        self.failure_reason = failure_reason
        self.attempts = attempts
        self.created_at = created_at
        self.updated_at = updated_at
        self.charge_started_at = charge_started_at

    @classmethod
    def open(
        cls,
        *,
        id: uuid.UUID,
        order_id: uuid.UUID,
        amount: Money,
        token: str,
        provider: str,
        now: datetime,
        cancelled: bool = False,
    ) -> Payment:
        """A payment to charge; or, for an order cancelled before its payment was asked
        for (``cancelled``), one that is never charged."""
        return cls(
            id=id,
            order_id=order_id,
            amount=amount,
            token=token,
            provider=provider,
            status=PaymentStatus.VOIDED if cancelled else PaymentStatus.PENDING,
            cancel_requested=cancelled,
            provider_reference=None,
            refund_reference=None,
            failure_reason=None,
            attempts=[],
            created_at=now,
            updated_at=now,
        )

    @property
    def key(self) -> str:
        """The idempotency key of the charge: the same on every retry, forever."""
        return f"charge-{self.id}"

    @property
    def refund_key(self) -> str:
        return f"refund-{self.id}"

    @property
    def next_step(self) -> Step | None:
        if self.status is PaymentStatus.PENDING:
            return Step.LOOK_UP if self.cancel_requested else Step.CHARGE
        if self.status is PaymentStatus.CAPTURED and self.cancel_requested:
            return Step.REFUND
        return None

    def request_cancel(self, *, now: datetime) -> None:
        """The order was cancelled: nothing more is charged, what was taken goes back."""
        if self.cancel_requested or self.status in (PaymentStatus.FAILED, PaymentStatus.VOIDED):
            return
        self.cancel_requested = True
        self._touch(now)

    def begin_charge(self, *, now: datetime) -> None:
        """Notes that a charge is about to be sent, so that a cancellation waits for its
        outcome (``may_be_charging``) before voiding."""
        self.charge_started_at = now
        self._touch(now)

    def may_be_charging(self, *, now: datetime, window: timedelta) -> bool:
        return self.charge_started_at is not None and now - self.charge_started_at < window

    def captured(self, reference: str, *, now: datetime) -> None:
        """The provider holds a successful charge for the key. Also after a void: a charge
        that landed late is recorded, and (the order being cancelled) refunded next."""
        if self.status not in (PaymentStatus.PENDING, PaymentStatus.VOIDED):
            return
        step = Step.LOOK_UP if self.cancel_requested else Step.CHARGE
        self.status = PaymentStatus.CAPTURED
        self.provider_reference = reference
        self._attempt(step, "captured", now)
        self._record(PaymentCaptured(at=now))

    def declined(self, code: str, *, now: datetime) -> None:
        """A decline is final for this key: the payment fails (and with it the order)."""
        if self.status is not PaymentStatus.PENDING:
            return
        self.status = PaymentStatus.FAILED
        self.failure_reason = code
        self._attempt(Step.CHARGE, "declined", now, code)
        self._record(PaymentFailed(at=now))

    def void(self, *, now: datetime) -> None:
        """Cancelled while pending, and the provider has no charge for the key."""
        if self.status is not PaymentStatus.PENDING or not self.cancel_requested:
            return
        self.status = PaymentStatus.VOIDED
        self._attempt(Step.LOOK_UP, "not_found", now)

    def refunded(self, reference: str, *, now: datetime) -> None:
        if self.status is not PaymentStatus.CAPTURED:
            return
        self.status = PaymentStatus.REFUNDED
        self.refund_reference = reference
        self._attempt(Step.REFUND, "refunded", now, reference)
        self._record(PaymentRefunded(at=now))

    def failed_attempt(self, step: Step, detail: str, *, now: datetime) -> None:
        """The provider could not be reached or did not answer; nothing else changes."""
        self._attempt(step, "error", now, detail[:500])

    def _attempt(self, step: Step, outcome: str, now: datetime, detail: str | None = None) -> None:
        number = len(self.attempts) + 1
        self.attempts.append(
            Attempt(number=number, at=now, step=step, outcome=outcome, detail=detail)
        )
        self._touch(now)

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        self._changed()
