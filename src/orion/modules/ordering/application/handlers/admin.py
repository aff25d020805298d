"""The admin dashboard's use cases of orders (``contracts/admin.py``): the same reads and
moves as the admin API's, in the contracts' plain views."""

from __future__ import annotations

from dataclasses import asdict

from orion.modules.ordering.application.commands import CancelOrder, DeliverOrder, ShipOrder
from orion.modules.ordering.application.ports import (
    OrderingReadModel,
    OrderingUnitOfWork,
    OrderSearch,
)
from orion.modules.ordering.application.queries import ListOrders, OrderView
from orion.modules.ordering.contracts.admin import (
    GetOrderForAdmin,
    ListOrdersForAdmin,
    MoveOrder,
    OrderDetail,
    OrderRow,
    OrderRows,
)
from orion.modules.ordering.contracts.queries import OrderRecordLine, OrderRecordStep
from orion.modules.ordering.domain.order import TRANSITIONS, OrderStatus

from .orders import CancelOrderHandler, DeliverOrderHandler, ShipOrderHandler

MOVES = {
    "ship": OrderStatus.SHIPPED,
    "deliver": OrderStatus.DELIVERED,
    "cancel": OrderStatus.CANCELLED,
}


def detail(view: OrderView) -> OrderDetail:
    allowed = TRANSITIONS[view.status]
    return OrderDetail(
        order_id=view.id,
        number=view.number,
        status=view.status.value,
        customer_id=view.customer_id,
        customer_email=view.customer_email,
        currency=view.total.currency,
        total_amount=view.total.amount,
        lines=[
            OrderRecordLine(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_amount=line.unit_price.amount,
            )
            for line in view.lines
        ],
        history=[
            OrderRecordStep(status=step.status.value, at=step.at, reason=step.reason)
            for step in view.history
        ],
        shipping_address={
            key: str(value) for key, value in asdict(view.shipping_address).items() if value
        },
        placed_at=view.placed_at,
        moves=[move for move, status in MOVES.items() if status in allowed],
    )


class ListOrdersForAdminHandler:
    def __init__(self, search: OrderSearch) -> None:
        self._search = search

    async def __call__(self, query: ListOrdersForAdmin) -> OrderRows:
        page = await self._search.list_orders(
            ListOrders(
                customer_id=None,
                statuses=tuple(OrderStatus(status) for status in query.statuses),
                q=query.q,
                customer_email=query.customer_email,
                created_from=query.created_from,
                created_to=query.created_to,
                sort=query.sort,
                limit=query.limit,
                cursor=query.cursor,
            )
        )
        return OrderRows(
            items=[
                OrderRow(
                    order_id=item.id,
                    number=item.number,
                    status=item.status.value,
                    customer_email=item.customer_email,
                    currency=item.total.currency,
                    total_amount=item.total.amount,
                    item_count=item.item_count,
                    placed_at=item.placed_at,
                )
                for item in page.items
            ],
            next_cursor=page.next_cursor,
        )


class GetOrderForAdminHandler:
    def __init__(self, read_model: OrderingReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetOrderForAdmin) -> OrderDetail:
        return detail(await self._read_model.get_order(query.order_id, None))


class MoveOrderHandler:
    """Transactional: the move of the admin API's handler, in the mediator's unit of work."""

    def __init__(
        self, ship: ShipOrderHandler, deliver: DeliverOrderHandler, cancel: CancelOrderHandler
    ) -> None:
        self._ship, self._deliver, self._cancel = ship, deliver, cancel

    async def __call__(self, command: MoveOrder, uow: OrderingUnitOfWork) -> OrderDetail:
        if command.move == "ship":
            view = await self._ship(ShipOrder(order_id=command.order_id), uow)
        elif command.move == "deliver":
            view = await self._deliver(DeliverOrder(order_id=command.order_id), uow)
        else:
            view = await self._cancel(CancelOrder(order_id=command.order_id, customer_id=None), uow)
        return detail(view)
