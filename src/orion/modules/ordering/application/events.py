"""Ordering's one mapper from what its aggregates recorded to its public events, applied by
the unit of work on commit.

A cart records nothing: nothing outside ordering hears of carts, so none reaches here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orion.modules.ordering.contracts.events import (
    OrderAwaitingPaymentV1,
    OrderCancelledV1,
    OrderDeliveredV1,
    OrderLineV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.modules.ordering.domain.order import (
    Order,
    OrderPlaced,
    OrderStatus,
    OrderStatusChanged,
)
from orion.shared_kernel.application.messages import IntegrationEvent


def integration_events(aggregate: object, recorded: Sequence[object]) -> list[IntegrationEvent]:
    match aggregate:
        case Order():
            return [_order_event(aggregate, event) for event in recorded]
    raise TypeError(f"ordering publishes nothing for a {type(aggregate).__name__}")


def _order_event(order: Order, event: object) -> IntegrationEvent:
    about: dict[str, Any] = {
        "aggregate_id": order.id,
        "aggregate_version": order.version,
        "number": order.number,
        "customer_id": order.customer.id,
        "customer_email": order.customer.email,
        "customer_name": order.customer.name,
        "currency": order.total.currency,
        "total_amount": order.total.amount,
    }
    match event:
        case OrderPlaced(at=at):
            lines = [
                OrderLineV1(
                    product_id=line.product_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_amount=line.unit_price.amount,
                )
                for line in order.lines
            ]
            return OrderPlacedV1(occurred_at=at, lines=lines, **about)
        case OrderStatusChanged(previous=previous, change=change):
            at = change.at
            match change.status:
                case OrderStatus.AWAITING_PAYMENT:
                    return OrderAwaitingPaymentV1(
                        occurred_at=at, payment_token=order.payment_token, **about
                    )
                case OrderStatus.PAID:
                    return OrderPaidV1(occurred_at=at, **about)
                case OrderStatus.SHIPPED:
                    return OrderShippedV1(occurred_at=at, **about)
                case OrderStatus.DELIVERED:
                    return OrderDeliveredV1(occurred_at=at, **about)
                case OrderStatus.CANCELLED:
                    return OrderCancelledV1(
                        occurred_at=at,
                        reason=change.reason or "",
                        previous_status=previous.value,
                        refund_due=previous is OrderStatus.PAID,
                        **about,
                    )
            raise TypeError(f"no integration event for a move to {change.status}")
    raise TypeError(f"no integration event for {type(event).__name__}")
