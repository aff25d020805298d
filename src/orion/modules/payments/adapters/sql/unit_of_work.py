"""The payments module's unit of work: payments with their attempts, inbox and outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.payments.application.events import integration_events
from orion.modules.payments.domain.errors import PaymentNotFound
from orion.modules.payments.domain.payment import Attempt, Payment, PaymentStatus, Step
from orion.shared_kernel.adapters.sql.unit_of_work import LoadedRows, SqlUnitOfWork, Track
from orion.shared_kernel.domain.errors import ConcurrencyConflict
from orion.shared_kernel.domain.money import Money

from .tables import inbox, outbox, payment_attempts, payments

UNSETTLED = sa.or_(
    payments.c.status == PaymentStatus.PENDING.value,
    sa.and_(payments.c.status == PaymentStatus.CAPTURED.value, payments.c.cancel_requested),
)


class SqlPaymentRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track
        self._attempts_loaded: dict[uuid.UUID, int] = {}
        self._loaded = LoadedRows(_row)

    async def of_order(self, order_id: uuid.UUID, *, for_update: bool) -> Payment | None:
        return await self._load(payments.c.order_id == order_id, for_update=for_update)

    async def get(self, payment_id: uuid.UUID, *, for_update: bool) -> Payment:
        payment = await self._load(payments.c.id == payment_id, for_update=for_update)
        if payment is None:
            raise PaymentNotFound(f"no payment {payment_id}")
        return payment

    async def add(self, payment: Payment) -> bool:
        inserted = await self._connection.execute(
            insert(payments).values(**_row(payment)).on_conflict_do_nothing()
        )
        if inserted.rowcount != 1:
            return False
        self._attempts_loaded[payment.id] = 0
        await self._write_attempts(payment)
        payment.mark_persisted()
        self._loaded.seen(payment.id, payment)
        self._track(payment)
        return True

    async def save(self, payment: Payment) -> None:
        if payment.version == payment.loaded_version:
            return  # nothing changed
        updated = await self._connection.execute(
            payments.update()
            .where(payments.c.id == payment.id, payments.c.version == payment.loaded_version)
            .values(**self._loaded.changes(payment.id, payment))
        )
        if updated.rowcount != 1:
            raise ConcurrencyConflict(f"payment {payment.id} changed meanwhile")
        await self._write_attempts(payment)
        payment.mark_persisted()
        self._loaded.seen(payment.id, payment)

    async def unsettled(self, *, untouched_since: datetime, limit: int) -> list[uuid.UUID]:
        rows = await self._connection.execute(
            sa.select(payments.c.id)
            .where(UNSETTLED, payments.c.updated_at < untouched_since)
            .order_by(payments.c.updated_at)
            .limit(limit)
        )
        return list(rows.scalars())

    async def _write_attempts(self, payment: Payment) -> None:
        new = payment.attempts[self._attempts_loaded[payment.id] :]
        if new:
            await self._connection.execute(
                payment_attempts.insert(),
                [
                    {
                        "payment_id": payment.id,
                        "number": attempt.number,
                        "at": attempt.at,
                        "step": attempt.step.value,
                        "outcome": attempt.outcome,
                        "detail": attempt.detail,
                    }
                    for attempt in new
                ],
            )
        self._attempts_loaded[payment.id] = len(payment.attempts)

    async def _load(self, where: sa.ColumnElement[bool], *, for_update: bool) -> Payment | None:
        payment = await select_payment(self._connection, where, for_update=for_update)
        if payment is None:
            return None
        self._loaded.seen(payment.id, payment)
        self._attempts_loaded[payment.id] = len(payment.attempts)
        return self._track(payment)


async def select_payment(
    connection: AsyncConnection, where: sa.ColumnElement[bool], *, for_update: bool = False
) -> Payment | None:
    """The payment the condition picks, with its attempts; ``for_update`` takes its row lock."""
    statement = sa.select(payments).where(where)
    if for_update:
        statement = statement.with_for_update()
    row = (await connection.execute(statement)).mappings().first()
    if row is None:
        return None
    attempts = [
        Attempt(
            number=a["number"],
            at=a["at"],
            step=Step(a["step"]),
            outcome=a["outcome"],
            detail=a["detail"],
        )
        for a in (
            await connection.execute(
                sa.select(payment_attempts)
                .where(payment_attempts.c.payment_id == row["id"])
                .order_by(payment_attempts.c.number)
            )
        ).mappings()
    ]
    return Payment(
        id=row["id"],
        order_id=row["order_id"],
        amount=Money(amount=row["amount"], currency=row["currency"]),
        token=row["token"],
        provider=row["provider"],
        status=PaymentStatus(row["status"]),
        cancel_requested=row["cancel_requested"],
        provider_reference=row["provider_reference"],
        refund_reference=row["refund_reference"],
        failure_reason=row["failure_reason"],
        attempts=attempts,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        charge_started_at=row["charge_started_at"],
        version=row["version"],
    )


class SqlPaymentsUnitOfWork(SqlUnitOfWork):
    payments: SqlPaymentRepository

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox, inbox, events=integration_events)

    def _open(self, connection: AsyncConnection) -> None:
        self.payments = SqlPaymentRepository(connection, self.track)


def _row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "amount": payment.amount.amount,
        "currency": payment.amount.currency,
        "token": payment.token,
        "provider": payment.provider,
        "status": payment.status.value,
        "cancel_requested": payment.cancel_requested,
        "provider_reference": payment.provider_reference,
        "refund_reference": payment.refund_reference,
        "failure_reason": payment.failure_reason,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "charge_started_at": payment.charge_started_at,
        "version": payment.version,
    }
