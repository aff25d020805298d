"""The figures, summed per UTC day at read time over the facts (indexes on (currency, the
step's time) keep each sum to the period's rows): one connection, a handful of statements."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.analytics.contracts.queries import (
    STATUSES,
    DayFigures,
    Funnel,
    GetOverview,
    Kpis,
    LowStock,
    Overview,
    ProductFigures,
)
from orion.modules.analytics.domain.period import Period
from orion.shared_kernel.adapters.sql.engine import autocommit

from .tables import customers, order_lines, orders, payments, products

STATUS = sa.case(
    (orders.c.cancelled_at.is_not(None), "cancelled"),
    (orders.c.delivered_at.is_not(None), "delivered"),
    (orders.c.shipped_at.is_not(None), "shipped"),
    (orders.c.paid_at.is_not(None), "paid"),
    (orders.c.awaiting_payment_at.is_not(None), "awaiting_payment"),
    else_="pending",
)


def day(column: sa.ColumnElement[datetime]) -> sa.ColumnElement[date]:
    return sa.cast(sa.func.timezone("UTC", column), sa.Date)


def within(column: sa.ColumnElement[datetime], period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(column >= period.since, column < period.until)


class SqlAnalyticsReadModel:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = autocommit(engine)

    async def overview(self, query: GetOverview) -> Overview:
        period = Period(start=query.start, end=query.end)
        currency = query.currency
        async with self._engine.connect() as connection:
            kpis = await _kpis(connection, period, currency)
            previous = await _kpis(connection, period.previous(), currency)
            days = await _days(connection, period, currency)
            funnel = await _funnel(connection, period, currency)
            cancelled = await _counted(
                connection,
                orders.c.cancel_reason,
                sa.and_(orders.c.currency == currency, within(orders.c.cancelled_at, period)),
            )
            failures = await _counted(
                connection,
                payments.c.failure_reason,
                sa.and_(payments.c.currency == currency, within(payments.c.failed_at, period)),
            )
            by_revenue = await _top(connection, period, currency, query.top, "revenue")
            by_units = await _top(connection, period, currency, query.top, "units")
            low = await _low_stock(connection, query.low_stock_below)
        return Overview(
            start=period.start,
            end=period.end,
            currency=currency,
            kpis=kpis,
            previous=previous,
            days=days,
            funnel=funnel,
            cancelled_by_reason=cancelled,
            failures_by_code=failures,
            top_by_revenue=by_revenue,
            top_by_units=by_units,
            low_stock=low,
        )


def _placed(period: Period, currency: str) -> sa.ColumnElement[bool]:
    return sa.and_(orders.c.currency == currency, within(orders.c.placed_at, period))


async def _kpis(connection: AsyncConnection, period: Period, currency: str) -> Kpis:
    count = sa.func.count()
    placed = (
        await connection.execute(
            sa.select(count, sa.func.count(sa.distinct(orders.c.customer_id))).where(
                _placed(period, currency)
            )
        )
    ).one()
    paid = (
        await connection.execute(
            sa.select(count, sa.func.coalesce(sa.func.sum(orders.c.total_amount), 0)).where(
                orders.c.currency == currency, within(orders.c.paid_at, period)
            )
        )
    ).one()
    cancelled = await connection.scalar(
        sa.select(count).where(orders.c.currency == currency, within(orders.c.cancelled_at, period))
    )
    money = (
        await connection.execute(
            sa.select(
                _sum_within(payments.c.captured_at, period),
                _sum_within(payments.c.refunded_at, period),
                sa.func.count().filter(within(payments.c.failed_at, period)),
            ).where(payments.c.currency == currency)
        )
    ).one()
    new_customers = await connection.scalar(
        sa.select(count).where(within(customers.c.registered_at, period))
    )
    paid_orders, paid_total = paid
    average = 0 if paid_orders == 0 else _rounded(Decimal(paid_total) / paid_orders)
    gross, refunds, failures = int(money[0]), int(money[1]), money[2]  # sum() is numeric
    return Kpis(
        orders=placed[0],
        gross=gross,
        refunds=refunds,
        net=gross - refunds,
        paid_orders=paid_orders,
        average_order_value=average,
        cancelled=cancelled or 0,
        payment_failures=failures,
        new_customers=new_customers or 0,
        active_customers=placed[1],
    )


def _sum_within(column: sa.ColumnElement[datetime], period: Period) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(payments.c.amount).filter(within(column, period)), 0)


def _rounded(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


async def _days(connection: AsyncConnection, period: Period, currency: str) -> list[DayFigures]:
    placed_day = day(orders.c.placed_at)
    by_status: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    rows = await connection.execute(
        sa.select(placed_day, STATUS, sa.func.count())
        .where(_placed(period, currency))
        .group_by(placed_day, STATUS)
    )
    for on, status, count in rows:
        by_status[on][status] = count
    rows = await connection.execute(
        sa.select(placed_day, sa.func.count(sa.distinct(orders.c.customer_id)))
        .where(_placed(period, currency))
        .group_by(placed_day)
    )
    active: dict[date, int] = {key: value for key, value in rows}
    gross = await _amounts_by_day(connection, payments.c.captured_at, period, currency)
    refunds = await _amounts_by_day(connection, payments.c.refunded_at, period, currency)
    registered_day = day(customers.c.registered_at)
    rows = await connection.execute(
        sa.select(registered_day, sa.func.count())
        .where(within(customers.c.registered_at, period))
        .group_by(registered_day)
    )
    new: dict[date, int] = {key: value for key, value in rows}
    return [
        DayFigures(
            day=on,
            gross=gross.get(on, 0),
            refunds=refunds.get(on, 0),
            net=gross.get(on, 0) - refunds.get(on, 0),
            orders_by_status=by_status[on],
            new_customers=new.get(on, 0),
            active_customers=active.get(on, 0),
        )
        for on in period.days()
    ]


async def _amounts_by_day(
    connection: AsyncConnection, column: sa.ColumnElement[datetime], period: Period, currency: str
) -> dict[date, int]:
    on = day(column)
    rows = await connection.execute(
        sa.select(on, sa.func.sum(payments.c.amount))
        .where(payments.c.currency == currency, within(column, period))
        .group_by(on)
    )
    return {when: int(amount) for when, amount in rows}


async def _funnel(connection: AsyncConnection, period: Period, currency: str) -> Funnel:
    row = (
        await connection.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(orders.c.paid_at),
                sa.func.count(orders.c.shipped_at),
                sa.func.count(orders.c.delivered_at),
            ).where(_placed(period, currency))
        )
    ).one()
    return Funnel(placed=row[0], paid=row[1], shipped=row[2], delivered=row[3])


async def _counted(
    connection: AsyncConnection, key: sa.Column[Any], where: sa.ColumnElement[bool]
) -> dict[str, int]:
    """Counts by ``key``, the most frequent first."""
    count = sa.func.count()
    rows = await connection.execute(
        sa.select(sa.func.coalesce(key, ""), count)
        .where(where)
        .group_by(key)
        .order_by(count.desc(), key)
    )
    return {key: value for key, value in rows}


async def _top(
    connection: AsyncConnection, period: Period, currency: str, limit: int, by: str
) -> list[ProductFigures]:
    """The products sold most (paid, not cancelled) in the orders placed in the period."""
    units = sa.func.sum(order_lines.c.quantity).label("units")
    revenue = sa.func.sum(order_lines.c.quantity * order_lines.c.unit_price_amount).label("revenue")
    first, second = (revenue, units) if by == "revenue" else (units, revenue)
    rows = await connection.execute(
        sa.select(
            order_lines.c.product_id,
            sa.func.max(order_lines.c.sku).label("sku"),
            sa.func.max(order_lines.c.name).label("name"),
            units,
            revenue,
        )
        .join(orders, orders.c.order_id == order_lines.c.order_id)
        .where(
            _placed(period, currency),
            orders.c.paid_at.is_not(None),
            orders.c.cancelled_at.is_(None),
        )
        .group_by(order_lines.c.product_id)
        .order_by(first.desc(), second.desc(), sa.text("sku"))
        .limit(limit)
    )
    return [
        ProductFigures(
            product_id=row.product_id,
            sku=row.sku,
            name=row.name,
            units=int(row.units),
            revenue=int(row.revenue),
        )
        for row in rows
    ]


async def _low_stock(connection: AsyncConnection, at_most: int) -> list[LowStock]:
    rows = await connection.execute(
        sa.select(products.c.product_id, products.c.sku, products.c.name, products.c.stock)
        .where(
            products.c.active,
            sa.not_(products.c.deleted),
            products.c.sku.is_not(None),
            products.c.stock <= at_most,
        )
        .order_by(products.c.stock, products.c.sku)
        .limit(20)
    )
    return [
        LowStock(product_id=row.product_id, sku=row.sku, name=row.name, stock=row.stock)
        for row in rows
    ]
