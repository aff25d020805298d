"""The ordering API's request and response shapes (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from orion.modules.ordering.application.queries import (
    MAX_PAGE,
    CartView,
    OrderSummaryView,
    OrderView,
)
from orion.modules.ordering.domain.cart import MAX_QUANTITY
from orion.modules.ordering.domain.order import OrderStatus
from orion.modules.payments.contracts.queries import OrderPayment
from orion.shared_kernel.adapters.http.schemas import (
    AddressIn,
    Body,
    CurrencyCode,
    DateTimeFilter,
    MinorUnitsFilter,
    MoneyOut,
)
from orion.shared_kernel.application.exchange_rates import Quote
from orion.shared_kernel.domain.money import Money

StatusName = Literal["pending", "awaiting_payment", "paid", "shipped", "delivered", "cancelled"]


class CartItemIn(Body):
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class PaymentIn(Body):
    token: str = Field(
        min_length=1, max_length=255, description="From the payment provider, e.g. tok_visa."
    )


class OrderIn(Body):
    """What checkout needs besides the cart. Prices come from the catalog, never from here."""

    shipping_address: AddressIn
    payment: PaymentIn
    currency: CurrencyCode | None = Field(
        default=None,
        description="ISO 4217: charge in it, at the current exchange rate (kept on the order).",
    )


class AppliedRateOut(BaseModel):
    base_currency: str = Field(description="The catalog's currency the prices were in.")
    rate: str = Field(description="1 base_currency = rate of the order's currency.")
    source: str
    as_of: str
    fetched_at: datetime


class OrderListQuery(BaseModel):
    status: list[StatusName] | None = Field(
        default=None, description="One or several: status=paid&status=shipped or paid,shipped."
    )
    created_from: DateTimeFilter | None = Field(default=None, description="Inclusive.")
    created_to: DateTimeFilter | None = Field(default=None, description="Exclusive.")
    min_total: MinorUnitsFilter | None = Field(default=None, description="Minor units, inclusive.")
    max_total: MinorUnitsFilter | None = Field(default=None, description="Minor units, inclusive.")
    q: str | None = Field(
        default=None, min_length=1, max_length=200, description="Order number or product name."
    )
    sort: Literal["created_at", "-created_at", "total", "-total", "status", "-status"] = (
        "-created_at"
    )
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="Above 100 is refused (422).")
    cursor: str | None = Field(default=None, max_length=512)

    @field_validator("status", mode="before")
    @classmethod
    def comma_separated(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if isinstance(values, list):
            return [part for item in values for part in str(item).split(",") if part]
        return value


class AdminOrderListQuery(OrderListQuery):
    email: str | None = Field(default=None, max_length=320, description="The customer's email.")


class CartLineOut(BaseModel):
    product_id: uuid.UUID
    sku: str | None
    name: str | None
    quantity: int
    unit_price: MoneyOut | None
    line_total: MoneyOut | None
    available: bool = Field(description="False: gone or not for sale; checkout refuses it.")
    in_stock: bool = Field(description="False: fewer on hand than the quantity right now.")


class ConvertedCartLineOut(BaseModel):
    product_id: uuid.UUID
    unit_price: MoneyOut | None
    line_total: MoneyOut | None


class ConvertedCartOut(BaseModel):
    """The cart in the asked currency, as a checkout in it would charge: each unit price
    converted and rounded, then multiplied."""

    currency: str
    lines: list[ConvertedCartLineOut]
    total: MoneyOut | None
    rate: str | None = Field(description="From the total's currency; null for an empty cart.")
    source: str
    as_of: str
    stale: bool


class CartOut(BaseModel):
    id: uuid.UUID
    token: str | None = Field(
        default=None, description="A new guest cart's token, told once: send it as X-Cart-Token."
    )
    lines: list[CartLineOut]
    total: MoneyOut | None
    item_count: int
    updated_at: datetime
    converted: ConvertedCartOut | None = Field(
        default=None, description="With ?currency=: the cart's prices in it."
    )


class OrderLineOut(BaseModel):
    product_id: uuid.UUID
    sku: str
    name: str
    unit_price: MoneyOut
    quantity: int
    line_total: MoneyOut


class StatusChangeOut(BaseModel):
    status: StatusName
    at: datetime
    reason: str | None


class PaymentAttemptOut(BaseModel):
    number: int
    at: datetime
    step: Literal["charge", "look_up", "refund"]
    outcome: Literal["captured", "declined", "not_found", "refunded", "error"]
    detail: str | None


class PaymentOut(BaseModel):
    status: Literal["pending", "captured", "failed", "refunded", "voided"]
    amount: MoneyOut
    failure_reason: str | None = Field(description="The provider's decline code.")
    updated_at: datetime
    id: uuid.UUID | None = Field(default=None, description="Admins only, as the rest below.")
    provider: str | None = None
    provider_reference: str | None = None
    attempts: list[PaymentAttemptOut] | None = None


class OrderOut(BaseModel):
    id: uuid.UUID
    number: str
    status: StatusName
    customer_id: uuid.UUID
    customer_email: str
    lines: list[OrderLineOut]
    total: MoneyOut
    shipping_address: AddressIn
    history: list[StatusChangeOut]
    placed_at: datetime
    updated_at: datetime
    applied_rate: AppliedRateOut | None = Field(
        default=None, description="Set when checkout asked for another currency."
    )
    payment: PaymentOut | None = Field(
        default=None, description="On GET only: null until the payments module has one."
    )


class OrderSummaryOut(BaseModel):
    id: uuid.UUID
    number: str
    status: StatusName
    customer_id: uuid.UUID
    customer_email: str
    total: MoneyOut
    item_count: int
    placed_at: datetime
    updated_at: datetime


class OrderPageOut(BaseModel):
    items: list[OrderSummaryOut]
    next_cursor: str | None


def money_json(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else {"amount": money.amount, "currency": money.currency}


def cart_json(view: CartView, token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(view.id),
        "lines": [
            {
                "product_id": str(line.product_id),
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money_json(line.unit_price),
                "line_total": money_json(line.line_total),
                "available": line.available,
                "in_stock": line.in_stock,
            }
            for line in view.lines
        ],
        "total": money_json(view.total),
        "item_count": view.item_count,
        "updated_at": view.updated_at.isoformat(),
    }
    if token is not None:
        body["token"] = token
    return body


def converted_cart_json(view: CartView, quote: Quote, currency: str) -> dict[str, Any]:
    lines = []
    for line in view.lines:
        unit = None if line.unit_price is None else quote.convert(line.unit_price, currency)
        lines.append(
            {
                "product_id": str(line.product_id),
                "unit_price": money_json(unit),
                "line_total": money_json(None if unit is None else unit * line.quantity),
            }
        )
    total = None
    if view.total is not None:
        total = sum(
            (
                quote.convert(line.unit_price, currency) * line.quantity
                for line in view.lines
                if line.available and line.unit_price is not None
            ),
            start=Money(amount=0, currency=currency),
        )
    return {
        "currency": currency,
        "lines": lines,
        "total": money_json(total),
        "rate": None if view.total is None else str(quote.rate(view.total.currency, currency)),
        "source": quote.table.source,
        "as_of": quote.table.as_of.isoformat(),
        "stale": quote.stale,
    }


def order_json(view: OrderView) -> dict[str, Any]:
    address = view.shipping_address
    return {
        "id": str(view.id),
        "number": view.number,
        "status": view.status.value,
        "customer_id": str(view.customer_id),
        "customer_email": view.customer_email,
        "lines": [
            {
                "product_id": str(line.product_id),
                "sku": line.sku,
                "name": line.name,
                "unit_price": money_json(line.unit_price),
                "quantity": line.quantity,
                "line_total": money_json(line.line_total),
            }
            for line in view.lines
        ],
        "total": money_json(view.total),
        "shipping_address": {
            "name": address.name,
            "line1": address.line1,
            "line2": address.line2,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": address.country,
        },
        "history": [
            {"status": change.status.value, "at": change.at.isoformat(), "reason": change.reason}
            for change in view.history
        ],
        "placed_at": view.placed_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "applied_rate": None
        if view.applied_rate is None
        else {
            "base_currency": view.applied_rate.base_currency,
            "rate": view.applied_rate.rate,
            "source": view.applied_rate.source,
            "as_of": view.applied_rate.as_of,
            "fetched_at": view.applied_rate.fetched_at.isoformat(),
        },
    }


def summary_json(view: OrderSummaryView) -> dict[str, Any]:
    return {
        "id": str(view.id),
        "number": view.number,
        "status": view.status.value,
        "customer_id": str(view.customer_id),
        "customer_email": view.customer_email,
        "total": money_json(view.total),
        "item_count": view.item_count,
        "placed_at": view.placed_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
    }


def payment_json(payment: OrderPayment, *, for_admin: bool) -> dict[str, Any]:
    """A customer sees where the payment stands; an admin also how it got there."""
    body: dict[str, Any] = {
        "status": payment.status,
        "amount": {"amount": payment.amount, "currency": payment.currency},
        "failure_reason": payment.failure_reason,
        "updated_at": payment.updated_at.isoformat(),
    }
    if for_admin:
        body |= {
            "id": str(payment.payment_id),
            "provider": payment.provider,
            "provider_reference": payment.provider_reference,
            "attempts": [
                {
                    "number": attempt.number,
                    "at": attempt.at.isoformat(),
                    "step": attempt.step,
                    "outcome": attempt.outcome,
                    "detail": attempt.detail,
                }
                for attempt in payment.attempts
            ],
        }
    return body


def statuses(names: list[StatusName] | None) -> tuple[OrderStatus, ...]:
    return tuple(OrderStatus(name) for name in names or ())
