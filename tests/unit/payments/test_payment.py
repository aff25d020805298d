"""The Payment aggregate: its state machine, and that every move is idempotent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from orion.modules.payments.domain.payment import (
    Payment,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentStatus,
    Step,
)
from orion.shared_kernel.domain.money import Money

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def payment(*, cancelled: bool = False) -> Payment:
    return Payment.open(
        id=uuid.uuid4(),
        order_id=uuid.uuid4(),
        amount=Money(amount=2_500, currency="EUR"),
        token="tok_visa",
        provider="simulated",
        now=NOW,
        cancelled=cancelled,
    )


def test_a_new_payment_is_to_be_charged_with_a_key_that_never_changes() -> None:
    new = payment()
    assert new.status is PaymentStatus.PENDING
    assert new.next_step is Step.CHARGE
    assert new.key == f"charge-{new.id}" == new.key


def test_captured_once_even_when_told_twice() -> None:
    paid = payment()
    paid.captured("ch_1", now=NOW)
    paid.captured("ch_1", now=NOW)
    assert paid.status is PaymentStatus.CAPTURED
    assert paid.next_step is None
    assert paid.pull_events() == [PaymentCaptured(at=NOW)]
    assert [attempt.outcome for attempt in paid.attempts] == ["captured"]


def test_a_decline_fails_the_payment_and_a_late_capture_cannot_undo_it() -> None:
    refused = payment()
    refused.declined("card_declined", now=NOW)
    refused.captured("ch_1", now=NOW)
    assert refused.status is PaymentStatus.FAILED
    assert refused.failure_reason == "card_declined"
    assert refused.pull_events() == [PaymentFailed(at=NOW)]


def test_cancelling_a_captured_payment_refunds_it_once() -> None:
    paid = payment()
    paid.captured("ch_1", now=NOW)
    paid.request_cancel(now=NOW)
    assert paid.next_step is Step.REFUND
    paid.refunded("re_1", now=NOW)
    paid.refunded("re_2", now=NOW)
    assert paid.status is PaymentStatus.REFUNDED
    assert paid.refund_reference == "re_1"
    assert paid.next_step is None


def test_cancelling_a_pending_payment_looks_it_up_then_voids_or_refunds() -> None:
    never_charged, charged = payment(), payment()
    for cancelled in (never_charged, charged):
        cancelled.request_cancel(now=NOW)
        assert cancelled.next_step is Step.LOOK_UP
    never_charged.void(now=NOW)
    assert never_charged.status is PaymentStatus.VOIDED
    charged.captured("ch_9", now=NOW)  # the lost answer: it went through
    assert charged.next_step is Step.REFUND


def test_a_charge_that_lands_after_the_void_is_refunded() -> None:
    late = payment()
    late.begin_charge(now=NOW)
    late.request_cancel(now=NOW)
    late.void(now=NOW)
    late.captured("ch_late", now=NOW + timedelta(seconds=5))
    assert late.status is PaymentStatus.CAPTURED
    assert late.next_step is Step.REFUND
    late.refunded("re_1", now=NOW)
    assert late.pull_events()[-1] == PaymentRefunded(at=NOW)


def test_a_payment_cancelled_before_it_was_asked_for_is_never_charged() -> None:
    tombstone = payment(cancelled=True)
    assert tombstone.status is PaymentStatus.VOIDED
    assert tombstone.next_step is None


def test_a_charge_sent_recently_may_still_land() -> None:
    charging = payment()
    assert not charging.may_be_charging(now=NOW, window=timedelta(seconds=30))
    charging.begin_charge(now=NOW)
    assert charging.may_be_charging(now=NOW + timedelta(seconds=10), window=timedelta(seconds=30))
    assert not charging.may_be_charging(
        now=NOW + timedelta(seconds=31), window=timedelta(seconds=30)
    )


def test_each_load_is_one_version_however_many_moves() -> None:
    paid = payment()
    paid.mark_persisted()
    paid.captured("ch_1", now=NOW)
    paid.request_cancel(now=NOW)
    assert paid.version == 1
