"""The catalog's one mapper from what its aggregates recorded to its public events, applied
by the unit of work on commit.

A product's own ``StockReserved``/``StockReleased`` are not published: the order-level
reservation event says it, and a consumer of product events may see a gap in a product's
versions (docs/messaging.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from orion.modules.catalog.contracts.events import (
    ProductCreatedV1,
    ProductDeletedV1,
    ProductPriceChangedV1,
    ProductUpdatedV1,
    ReservedLineV1,
    StockAdjustedV1,
    StockReleasedV1,
    StockReservationFailedV1,
    StockReservedV1,
)
from orion.modules.catalog.domain.events import (
    ProductCreated,
    ProductDeleted,
    ProductPriceChanged,
    ProductUpdated,
    ReservationMade,
    ReservationRefused,
    ReservationReleased,
    StockAdjusted,
    StockReleased,
    StockReserved,
)
from orion.modules.catalog.domain.product import Product
from orion.modules.catalog.domain.reservation import StockReservation
from orion.shared_kernel.application.messages import IntegrationEvent


def integration_events(aggregate: object, recorded: Sequence[object]) -> list[IntegrationEvent]:
    match aggregate:
        case Product():
            return [event for e in recorded if (event := _product_event(aggregate, e))]
        case StockReservation():
            return [_reservation_event(aggregate, e) for e in recorded]
    raise TypeError(f"the catalog publishes nothing for a {type(aggregate).__name__}")


def _product_event(product: Product, event: object) -> IntegrationEvent | None:
    match event:
        case ProductCreated(at=at):
            return ProductCreatedV1(
                aggregate_id=product.id,
                aggregate_version=product.version,
                occurred_at=at,
                sku=product.sku,
                name=product.name,
                description=product.description,
                category=product.category,
                price_amount=product.price.amount,
                price_currency=product.price.currency,
                stock=product.stock,
                active=product.active,
            )
        case ProductUpdated(at=at, fields=fields):
            return ProductUpdatedV1(
                aggregate_id=product.id,
                aggregate_version=product.version,
                occurred_at=at,
                changed=list(fields),
                sku=product.sku,
                name=product.name,
                description=product.description,
                category=product.category,
                price_amount=product.price.amount,
                price_currency=product.price.currency,
                active=product.active,
            )
        case ProductPriceChanged(at=at, old=old, new=new):
            return ProductPriceChangedV1(
                aggregate_id=product.id,
                aggregate_version=product.version,
                occurred_at=at,
                sku=product.sku,
                old_amount=old.amount,
                old_currency=old.currency,
                new_amount=new.amount,
                new_currency=new.currency,
            )
        case ProductDeleted(at=at):
            return ProductDeletedV1(
                aggregate_id=product.id,
                aggregate_version=product.version,
                occurred_at=at,
                sku=product.sku,
            )
        case StockAdjusted(at=at, delta=delta, reason=reason):
            return StockAdjustedV1(
                aggregate_id=product.id,
                aggregate_version=product.version,
                occurred_at=at,
                sku=product.sku,
                delta=delta,
                stock=product.stock,
                reason=reason,
            )
        case StockReserved() | StockReleased():
            return None  # told by the reservation's own event (see above)
    raise TypeError(f"no integration event for {type(event).__name__}")


def _reservation_event(reservation: StockReservation, event: object) -> IntegrationEvent:
    lines = [
        ReservedLineV1(product_id=line.product_id, quantity=line.quantity)
        for line in reservation.lines
    ]
    order_id, version = reservation.order_id, reservation.version
    match event:
        case ReservationMade(at=at):
            return StockReservedV1(
                aggregate_id=order_id, aggregate_version=version, occurred_at=at, lines=lines
            )
        case ReservationRefused(at=at, reason=reason, product_ids=product_ids):
            return StockReservationFailedV1(
                aggregate_id=order_id,
                aggregate_version=version,
                occurred_at=at,
                reason=reason,
                product_ids=list(product_ids),
            )
        case ReservationReleased(at=at):
            return StockReleasedV1(
                aggregate_id=order_id, aggregate_version=version, occurred_at=at, lines=lines
            )
    raise TypeError(f"no integration event for {type(event).__name__}")
