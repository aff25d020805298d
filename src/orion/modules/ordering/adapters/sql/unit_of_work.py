"""The ordering module's unit of work: its cart and order repositories, idempotency
records, inbox and outbox, on one connection and one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from orion.modules.ordering.application.events import integration_events
from orion.modules.ordering.application.queries import OrderView
from orion.modules.ordering.domain.cart import Cart, CartLine
from orion.modules.ordering.domain.errors import OrderNotFound
from orion.modules.ordering.domain.order import (
    AppliedRate,
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    ShippingAddress,
    StatusChange,
)
from orion.shared_kernel.adapters.sql.unit_of_work import SqlUnitOfWork, Track
from orion.shared_kernel.application.primitives import from_primitive, to_primitive
from orion.shared_kernel.domain.errors import ConcurrencyConflict
from orion.shared_kernel.domain.money import Money

from .tables import (
    audit,
    cart_items,
    carts,
    idempotency_keys,
    inbox,
    order_history,
    order_lines,
    order_numbers,
    order_summaries,
    orders,
    outbox,
)


def _cart_with_items(where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """A cart and its items in one statement: one row per item, one with NULL items for an
    empty cart. Built once (here); SQLAlchemy compiles it once and asyncpg prepares it."""
    return (
        sa.select(carts, cart_items.c.product_id, cart_items.c.quantity, cart_items.c.added_at)
        .select_from(carts.outerjoin(cart_items))
        .where(where)
    )


CART_OF_CUSTOMER = _cart_with_items(carts.c.customer_id == sa.bindparam("customer_id"))
CART_OF_TOKEN = _cart_with_items(
    sa.and_(carts.c.token_hash == sa.bindparam("token_hash"), carts.c.closed_at.is_(None))
)
_SAVE_CART = carts.update().where(carts.c.id == sa.bindparam("cart"))
# the cart's row locked; its items need no lock: they are written only under it
_LOCKED = {
    CART_OF_CUSTOMER: CART_OF_CUSTOMER.with_for_update(of=carts),
    CART_OF_TOKEN: CART_OF_TOKEN.with_for_update(of=carts),
}


class SqlCartRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track
        self._loaded: dict[uuid.UUID, dict[uuid.UUID, int]] = {}  # quantities as read

    async def of_customer(self, customer_id: uuid.UUID, *, for_update: bool) -> Cart | None:
        cart = await load_cart(
            self._connection, CART_OF_CUSTOMER, for_update=for_update, customer_id=customer_id
        )
        return self._loaded_cart(cart)

    async def of_token(self, token_hash: bytes, *, for_update: bool) -> Cart | None:
        cart = await load_cart(
            self._connection, CART_OF_TOKEN, for_update=for_update, token_hash=token_hash
        )
        return self._loaded_cart(cart)

    async def add(self, cart: Cart, *, token_hash: bytes | None) -> bool:
        inserted = await self._connection.execute(
            insert(carts)
            .values(
                id=cart.id,
                customer_id=cart.customer_id,
                token_hash=token_hash,
                created_at=cart.created_at,
                updated_at=cart.updated_at,
                version=cart.version,
            )
            .on_conflict_do_nothing()
        )
        if inserted.rowcount != 1:
            return False
        self._loaded[cart.id] = {}
        cart.mark_persisted()
        self._track(cart)
        return True

    async def save(self, cart: Cart) -> None:
        before = self._loaded[cart.id]
        now = {product_id: line.quantity for product_id, line in cart.lines.items()}
        gone = [product_id for product_id in before if product_id not in now]
        changed = [
            {
                "cart_id": cart.id,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "added_at": line.added_at,
            }
            for line in cart.lines.values()
            if before.get(line.product_id) != line.quantity
        ]
        if gone:
            await self._connection.execute(
                cart_items.delete().where(
                    cart_items.c.cart_id == cart.id, cart_items.c.product_id.in_(gone)
                )
            )
        if changed:
            upsert = insert(cart_items)
            await self._connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=[cart_items.c.cart_id, cart_items.c.product_id],
                    set_={"quantity": upsert.excluded.quantity},
                ),
                changed,
            )
        await self._connection.execute(
            _SAVE_CART,
            {
                "cart": cart.id,
                "updated_at": cart.updated_at,
                "version": cart.version,
                "closed_at": cart.updated_at if cart.closed else None,
            },
        )
        self._loaded[cart.id] = now
        cart.mark_persisted()

    async def remove_guest_carts(self, *, untouched_since: datetime) -> int:
        removed = await self._connection.execute(
            carts.delete().where(
                carts.c.customer_id.is_(None), carts.c.updated_at < untouched_since
            )
        )
        return removed.rowcount

    def _loaded_cart(self, cart: Cart | None) -> Cart | None:
        if cart is None:
            return None
        self._loaded[cart.id] = {product: line.quantity for product, line in cart.lines.items()}
        return self._track(cart)


async def load_cart(
    connection: AsyncConnection, statement: sa.Select[Any], *, for_update: bool, **params: Any
) -> Cart | None:
    """The cart ``statement`` (``CART_OF_*``) finds, with its lines, in one round trip."""
    rows = (await connection.execute(_LOCKED[statement] if for_update else statement, params)).all()
    if not rows:
        return None
    first = rows[0]
    return Cart(
        id=first.id,
        customer_id=first.customer_id,
        lines={
            row.product_id: CartLine(
                product_id=row.product_id, quantity=row.quantity, added_at=row.added_at
            )
            for row in rows
            if row.product_id is not None
        },
        created_at=first.created_at,
        updated_at=first.updated_at,
        version=first.version,
        closed=first.closed_at is not None,
    )


# built once: building a statement per call was a fifth of checkout's CPU (bench/README.md)
_NEXT_NUMBER = sa.select(order_numbers.next_value())
_SAVE_ORDER = (
    orders.update()
    .where(orders.c.id == sa.bindparam("order_id"))
    .where(orders.c.version == sa.bindparam("loaded_version"))
)
_SAVE_SUMMARY = order_summaries.update().where(order_summaries.c.id == sa.bindparam("order_id"))


class SqlOrderRepository:
    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track
        self._history_loaded: dict[uuid.UUID, int] = {}

    async def next_number(self) -> str:
        number = await self._connection.scalar(_NEXT_NUMBER)
        return f"ORN-{number:06d}"

    async def add(self, order: Order) -> None:
        await self._connection.execute(orders.insert(), _order_row(order))
        await self._connection.execute(
            order_lines.insert(),
            [
                {
                    "order_id": order.id,
                    "position": position,
                    "product_id": line.product_id,
                    "sku": line.sku,
                    "name": line.name,
                    "unit_price_amount": line.unit_price.amount,
                    "quantity": line.quantity,
                }
                for position, line in enumerate(order.lines)
            ],
        )
        await self._write_history(order, start=0)
        await self._connection.execute(
            order_summaries.insert(),
            {
                "id": order.id,
                "number": order.number,
                "customer_id": order.customer.id,
                "customer_email": order.customer.email,
                "status": order.status.value,
                "currency": order.total.currency,
                "total_amount": order.total.amount,
                "item_count": sum(line.quantity for line in order.lines),
                "product_names": " | ".join(line.name for line in order.lines),
                "placed_at": order.placed_at,
                "updated_at": order.updated_at,
            },
        )
        order.mark_persisted()
        self._track(order)

    async def get(self, order_id: uuid.UUID, *, for_update: bool = False) -> Order:
        statement = sa.select(orders).where(orders.c.id == order_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).mappings().first()
        if row is None:
            raise OrderNotFound(f"no order {order_id}")
        lines = (
            await self._connection.execute(
                sa.select(order_lines)
                .where(order_lines.c.order_id == order_id)
                .order_by(order_lines.c.position)
            )
        ).mappings()
        history = (
            await self._connection.execute(
                sa.select(order_history)
                .where(order_history.c.order_id == order_id)
                .order_by(order_history.c.position)
            )
        ).mappings()
        order = Order(
            id=row["id"],
            number=row["number"],
            customer=Customer(
                id=row["customer_id"], email=row["customer_email"], name=row["customer_name"]
            ),
            lines=tuple(
                OrderLine(
                    product_id=line["product_id"],
                    sku=line["sku"],
                    name=line["name"],
                    unit_price=Money(amount=line["unit_price_amount"], currency=row["currency"]),
                    quantity=line["quantity"],
                )
                for line in lines
            ),
            shipping_address=ShippingAddress(**row["shipping_address"]),
            payment_token=row["payment_token"],
            history=[
                StatusChange(
                    status=OrderStatus(change["status"]), at=change["at"], reason=change["reason"]
                )
                for change in history
            ],
            version=row["version"],
            applied_rate=None
            if row["rate"] is None
            else AppliedRate(
                base_currency=row["rate_base_currency"],
                rate=row["rate"],
                source=row["rate_source"],
                as_of=row["rate_as_of"],
                fetched_at=row["rate_fetched_at"],
            ),
        )
        self._history_loaded[order.id] = len(order.history)
        return self._track(order)

    async def save(self, order: Order) -> None:
        updated = await self._connection.execute(
            _SAVE_ORDER,
            {
                "order_id": order.id,
                "loaded_version": order.loaded_version,
                "status": order.status.value,
                "updated_at": order.updated_at,
                "version": order.version,
            },
        )
        if updated.rowcount != 1:
            raise ConcurrencyConflict(f"order {order.id} changed meanwhile")
        await self._write_history(order, start=self._history_loaded[order.id])
        await self._connection.execute(
            _SAVE_SUMMARY,
            {"order_id": order.id, "status": order.status.value, "updated_at": order.updated_at},
        )
        order.mark_persisted()

    async def _write_history(self, order: Order, *, start: int) -> None:
        await self._connection.execute(
            order_history.insert(),
            [
                {
                    "order_id": order.id,
                    "position": position,
                    "status": change.status.value,
                    "at": change.at,
                    "reason": change.reason,
                }
                for position, change in enumerate(order.history)
                if position >= start
            ],
        )
        self._history_loaded[order.id] = len(order.history)


class SqlIdempotencyRecords:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def claim(
        self, customer_id: uuid.UUID, key: str
    ) -> tuple[bool, tuple[str, OrderView] | None]:
        row = (
            await self._connection.execute(
                _CLAIM,
                {
                    "scope": f"ordering.checkout:{customer_id}:{key}",
                    "customer_id": customer_id,
                    "key": key,
                },
            )
        ).one()
        kept = None if row.fingerprint is None else _kept(row.fingerprint, row.response)
        return bool(row.claimed), kept

    async def recall(self, customer_id: uuid.UUID, key: str) -> tuple[str, OrderView] | None:
        return await recall(self._connection, customer_id, key)

    async def remember(
        self, customer_id: uuid.UUID, key: str, fingerprint: str, response: OrderView
    ) -> bool:
        kept = await self._connection.execute(
            _REMEMBER,
            {
                "customer_id": customer_id,
                "key": key,
                "fingerprint": fingerprint,
                "response": to_primitive(response),
                "created_at": response.placed_at,
            },
        )
        return kept.rowcount == 1

    async def forget(self, *, created_before: datetime) -> int:
        removed = await self._connection.execute(
            idempotency_keys.delete().where(idempotency_keys.c.created_at < created_before)
        )
        return removed.rowcount


_KEY_MATCHES = sa.and_(
    idempotency_keys.c.customer_id == sa.bindparam("customer_id"),
    idempotency_keys.c.key == sa.bindparam("key"),
)
_RECALL = sa.select(idempotency_keys.c.fingerprint, idempotency_keys.c.response).where(_KEY_MATCHES)
# the lock on the key and the kept response, one row whether or not one is kept
_CLAIM = sa.select(
    sa.func.pg_try_advisory_xact_lock(
        sa.func.hashtextextended(sa.bindparam("scope", type_=sa.Text), 0)
    ).label("claimed"),
    sa.select(idempotency_keys.c.fingerprint)
    .where(_KEY_MATCHES)
    .scalar_subquery()
    .label("fingerprint"),
    sa.select(idempotency_keys.c.response).where(_KEY_MATCHES).scalar_subquery().label("response"),
)
_REMEMBER = insert(idempotency_keys).on_conflict_do_nothing()


async def recall(
    connection: AsyncConnection, customer_id: uuid.UUID, key: str
) -> tuple[str, OrderView] | None:
    row = (await connection.execute(_RECALL, {"customer_id": customer_id, "key": key})).first()
    return None if row is None else _kept(row.fingerprint, row.response)


def _kept(fingerprint: str, response: Any) -> tuple[str, OrderView]:
    return fingerprint, from_primitive(OrderView, response)


class SqlOrderingUnitOfWork(SqlUnitOfWork):
    carts: SqlCartRepository
    orders: SqlOrderRepository
    idempotency: SqlIdempotencyRecords

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, outbox, inbox, events=integration_events, audit=audit)

    def _open(self, connection: AsyncConnection) -> None:
        self.carts = SqlCartRepository(connection, self.track)
        self.orders = SqlOrderRepository(connection, self.track)
        self.idempotency = SqlIdempotencyRecords(connection)


def _order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "customer_id": order.customer.id,
        "customer_email": order.customer.email,
        "customer_name": order.customer.name,
        "status": order.status.value,
        "currency": order.total.currency,
        "total_amount": order.total.amount,
        "shipping_address": to_primitive(order.shipping_address),
        "payment_token": order.payment_token,
        "placed_at": order.placed_at,
        "updated_at": order.updated_at,
        "version": order.version,
        **_rate_columns(order.applied_rate),
    }


def _rate_columns(applied: AppliedRate | None) -> dict[str, Any]:
    if applied is None:
        return {}
    return {
        "rate_base_currency": applied.base_currency,
        "rate": applied.rate,
        "rate_source": applied.source,
        "rate_as_of": applied.as_of,
        "rate_fetched_at": applied.fetched_at,
    }
