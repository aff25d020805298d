"""The public events for what an order recorded since it was loaded."""

from __future__ import annotations

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


def integration_events(order: Order) -> list[IntegrationEvent]:
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
    events: list[IntegrationEvent] = []
    for event in order.pull_events():
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
                events.append(OrderPlacedV1(occurred_at=at, lines=lines, **about))
            case OrderStatusChanged(previous=previous, change=change):
                at = change.at
                match change.status:
                    case OrderStatus.AWAITING_PAYMENT:
                        events.append(
                            OrderAwaitingPaymentV1(
                                occurred_at=at, payment_token=order.payment_token, **about
                            )
                        )
                    case OrderStatus.PAID:
                        events.append(OrderPaidV1(occurred_at=at, **about))
                    case OrderStatus.SHIPPED:
                        events.append(OrderShippedV1(occurred_at=at, **about))
                    case OrderStatus.DELIVERED:
                        events.append(OrderDeliveredV1(occurred_at=at, **about))
                    case OrderStatus.CANCELLED:
                        events.append(
                            OrderCancelledV1(
                                occurred_at=at,
                                reason=change.reason or "",
                                previous_status=previous.value,
                                refund_due=previous is OrderStatus.PAID,
                                **about,
                            )
                        )
                    case _:
                        raise TypeError(f"no integration event for a move to {change.status}")
            case _:
                raise TypeError(f"no integration event for {type(event).__name__}")
    return events
