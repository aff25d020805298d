"""An order's moves after checkout (cancel, ship, deliver), its reads, and the clean-up of
what ordering keeps for a while. The moves and the clean-up are transactional: the mediator
opens their unit of work and commits it, with the events the order recorded."""

from __future__ import annotations

from orion.modules.ordering.application.commands import (
    CancelOrder,
    CleanedUp,
    CleanUp,
    DeliverOrder,
    ShipOrder,
)
from orion.modules.ordering.application.ports import (
    OrderingReadModel,
    OrderingUnitOfWork,
    OrderSearch,
    OrderStates,
)
from orion.modules.ordering.application.queries import (
    GetOrder,
    ListOrders,
    OrderPage,
    OrderView,
    order_view,
)
from orion.modules.ordering.contracts.queries import (
    GetOrderEvents,
    GetOrderStates,
    ListOrderRecords,
    ListOrdersChanged,
    OrderEvents,
    OrderRecord,
    OrderState,
)
from orion.modules.ordering.domain.errors import OrderNotFound
from orion.modules.ordering.domain.order import CancelReason
from orion.shared_kernel.application.clock import Clock


class CancelOrderHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: CancelOrder, uow: OrderingUnitOfWork) -> OrderView:
        order = await uow.orders.get(command.order_id, for_update=True)
        if command.customer_id is None:
            reason = CancelReason.ADMIN_REQUEST
        elif command.customer_id == order.customer.id:
            reason = CancelReason.CUSTOMER_REQUEST
        else:
            raise OrderNotFound(f"no order {order.id}")  # another's order is not there at all
        order.cancel(reason, now=self._clock.now())
        await uow.orders.save(order)
        return order_view(order)


class ShipOrderHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: ShipOrder, uow: OrderingUnitOfWork) -> OrderView:
        order = await uow.orders.get(command.order_id, for_update=True)
        order.ship(now=self._clock.now())
        await uow.orders.save(order)
        return order_view(order)


class DeliverOrderHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: DeliverOrder, uow: OrderingUnitOfWork) -> OrderView:
        order = await uow.orders.get(command.order_id, for_update=True)
        order.deliver(now=self._clock.now())
        await uow.orders.save(order)
        return order_view(order)


class CleanUpHandler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(self, command: CleanUp, uow: OrderingUnitOfWork) -> CleanedUp:
        now = self._clock.now()
        carts = await uow.carts.remove_guest_carts(untouched_since=now - command.guest_cart_ttl)
        keys = await uow.idempotency.forget(created_before=now - command.idempotency_key_ttl)
        return CleanedUp(guest_carts=carts, idempotency_keys=keys)


class GetOrderHandler:
    def __init__(self, read_model: OrderingReadModel) -> None:
        self._read_model = read_model

    async def __call__(self, query: GetOrder) -> OrderView:
        return await self._read_model.get_order(query.order_id, query.customer_id)


class ListOrdersHandler:
    def __init__(self, search: OrderSearch) -> None:
        self._search = search

    async def __call__(self, query: ListOrders) -> OrderPage:
        return await self._search.list_orders(query)


class ListOrdersChangedHandler:
    def __init__(self, states: OrderStates) -> None:
        self._states = states

    async def __call__(self, query: ListOrdersChanged) -> list[OrderState]:
        return await self._states.changed(query.statuses, query.window)


class GetOrderStatesHandler:
    def __init__(self, states: OrderStates) -> None:
        self._states = states

    async def __call__(self, query: GetOrderStates) -> list[OrderState]:
        return await self._states.of_orders(query.order_ids)


class GetOrderEventsHandler:
    def __init__(self, states: OrderStates) -> None:
        self._states = states

    async def __call__(self, query: GetOrderEvents) -> list[OrderEvents]:
        return await self._states.events_of(query.order_ids)


class ListOrderRecordsHandler:
    def __init__(self, search: OrderSearch) -> None:
        self._search = search

    async def __call__(self, query: ListOrderRecords) -> list[OrderRecord]:
        return await self._search.order_records(query)
