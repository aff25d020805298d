"""The payments module's handlers for the messages sent to it: reconciliation (from the CLI
and the periodic job) and the order's payment (asked by ordering)."""

from __future__ import annotations

from collections.abc import Callable

from orion.modules.payments.contracts.commands import (
    Reconcile,
    Reconciled,
    RefundCapturedPayment,
)
from orion.modules.payments.contracts.queries import (
    GetOrderPayment,
    GetPaymentStates,
    ListPaymentRecords,
    ListPaymentsChanged,
    OrderPayment,
    PaymentAttemptView,
    PaymentRecord,
    PaymentState,
)
from orion.modules.payments.domain.payment import Payment, PaymentStatus
from orion.shared_kernel.application.clock import Clock

from .gateway import GatewayUnavailable
from .ports import PaymentsReadModel, PaymentsUnitOfWork
from .settlement import Settlement


class SettlingHandler:
    """A command handler that reads and marks payments in short transactions of its own
    (``uow``) and drives them through the settlement, the provider called between them."""

    def __init__(
        self, *, uow: Callable[[], PaymentsUnitOfWork], settlement: Settlement, clock: Clock
    ) -> None:
        self._uow = uow
        self._settlement = settlement
        self._clock = clock


class ReconcileHandler(SettlingHandler):
    """Drives every payment left unsettled through the settlement again. Not registered with
    a unit of work: it reads the payments to examine in one short transaction, and each is
    then advanced in the settlement's own, with the provider called between them."""

    async def __call__(self, command: Reconcile) -> Reconciled:
        now = self._clock.now()
        async with self._uow() as uow:
            ids = await uow.payments.unsettled(
                untouched_since=now - command.after, limit=command.limit
            )
        settled = 0
        for payment_id in ids:
            try:
                await self._settlement.advance(
                    payment_id, give_up_before=now - command.give_up_after
                )
            except GatewayUnavailable:
                continue  # recorded as an attempt; the next pass tries again
            settled += 1
        return Reconciled(examined=len(ids), settled=settled, still_unsettled=len(ids) - settled)


class RefundCapturedPaymentHandler(SettlingHandler):
    """Marks the capture to be refunded in one transaction, then lets the settlement ask the
    provider (outside it), as ``RefundOnOrderCancelled`` does."""

    async def __call__(self, command: RefundCapturedPayment) -> bool:
        async with self._uow() as uow:
            payment = await uow.payments.of_order(command.order_id, for_update=True)
            if payment is None or payment.status is not PaymentStatus.CAPTURED:
                return False
            payment.request_cancel(now=self._clock.now())
            await uow.payments.save(payment)
            await uow.commit()
        await self._settlement.advance(payment.id)
        return True


class GetOrderPaymentHandler:
    def __init__(self, read_model: PaymentsReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetOrderPayment) -> OrderPayment | None:
        return await self._read_model.of_order(query.order_id)


class ListPaymentsChangedHandler:
    def __init__(self, read_model: PaymentsReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListPaymentsChanged) -> list[PaymentState]:
        return await self._read_model.changed(query.statuses, query.window)


class GetPaymentStatesHandler:
    def __init__(self, read_model: PaymentsReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetPaymentStates) -> list[PaymentState]:
        return await self._read_model.of_orders(query.order_ids)


def order_payment(payment: Payment) -> OrderPayment:
    """What other modules and admins see of a payment."""
    return OrderPayment(
        payment_id=payment.id,
        status=payment.status.value,
        amount=payment.amount.amount,
        currency=payment.amount.currency,
        provider=payment.provider,
        provider_reference=payment.provider_reference,
        failure_reason=payment.failure_reason,
        attempts=[
            PaymentAttemptView(
                number=attempt.number,
                at=attempt.at,
                step=attempt.step.value,
                outcome=attempt.outcome,
                detail=attempt.detail,
            )
            for attempt in payment.attempts
        ],
        created_at=payment.created_at,
        updated_at=payment.updated_at,
    )


class ListPaymentRecordsHandler:
    def __init__(self, read_model: PaymentsReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: ListPaymentRecords) -> list[PaymentRecord]:
        return await self._read_model.records(query)
