"""Reactions to other modules' events: each one email to the customer, sent once."""

from __future__ import annotations

from orion.modules.identity.contracts.events import (
    PasswordResetRequestedV1,
    RegistrationAttemptedV1,
    UserRegisteredV1,
)
from orion.modules.ordering.contracts.events import (
    OrderCancelledV1,
    OrderEventV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.shared_kernel.domain.money import Money

from .ports import NotificationsUnitOfWork
from .sending import EmailSender

# Why an order was cancelled, told to its customer, by ordering's stable reason code.
CANCELLATION_REASONS = {
    "out_of_stock": "some of the items you ordered are out of stock, so we could not set "
    "them aside for you",
    "product_unavailable": "an item in your order is no longer for sale",
    "customer_request": "you asked us to cancel it",
    "payment_declined": "your payment was declined",
    "admin_request": "our team had to cancel it",
}
# A reason added to ordering's list before this module knows it still gets a decent sentence.
UNKNOWN_REASON = "we could not complete it"


def money(amount: int, currency: str) -> str:
    """Minor units in the currency's own digits, thousands grouped: ``1,234.50 EUR``."""
    return f"{Money(amount=amount, currency=currency).to_decimal():,} {currency}"


class SendEmailOnIdentityEvents:
    """Verification email on registration, reset email on a reset request."""

    def __init__(self, *, sender: EmailSender, public_url: str) -> None:
        self._sender = sender
        self._public_url = public_url.rstrip("/")

    async def on_user_registered(
        self, event: UserRegisteredV1, uow: NotificationsUnitOfWork
    ) -> None:
        link = f"{self._public_url}/verify-email?token={event.verification_token}"
        await self._sender.send(uow, event.email, "verify_email", name=event.full_name, link=link)

    async def on_password_reset_requested(
        self, event: PasswordResetRequestedV1, uow: NotificationsUnitOfWork
    ) -> None:
        link = f"{self._public_url}/reset-password?token={event.reset_token}"
        await self._sender.send(
            uow,
            event.email,
            "reset_password",
            name=event.full_name,
            link=link,
            expires_at=event.expires_at,
        )


class SendEmailOnRegistrationAttempted:
    """The owner of an email someone tried to sign up with hears of it, with the way in."""

    def __init__(self, *, sender: EmailSender, public_url: str) -> None:
        self._sender = sender
        self._public_url = public_url.rstrip("/")

    async def __call__(self, event: RegistrationAttemptedV1, uow: NotificationsUnitOfWork) -> None:
        link = f"{self._public_url}/login"
        await self._sender.send(
            uow, event.email, "registration_attempted", name=event.full_name, link=link
        )


class SendEmailOnOrderEvents:
    """The customer hears of each step of their order: placed (the confirmation, with its
    lines), paid, shipped, and cancelled (why, and whether a refund follows)."""

    def __init__(self, *, sender: EmailSender, public_url: str) -> None:
        self._sender = sender
        self._public_url = public_url.rstrip("/")

    async def on_order_placed(self, event: OrderPlacedV1, uow: NotificationsUnitOfWork) -> None:
        lines = [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price_amount, event.currency),
                "total": money(line.unit_price_amount * line.quantity, event.currency),
            }
            for line in event.lines
        ]
        await self._tell(uow, event, "order_placed", lines=lines)

    async def on_order_paid(self, event: OrderPaidV1, uow: NotificationsUnitOfWork) -> None:
        await self._tell(uow, event, "order_paid")

    async def on_order_shipped(self, event: OrderShippedV1, uow: NotificationsUnitOfWork) -> None:
        await self._tell(uow, event, "order_shipped")

    async def on_order_cancelled(
        self, event: OrderCancelledV1, uow: NotificationsUnitOfWork
    ) -> None:
        reason = CANCELLATION_REASONS.get(event.reason, UNKNOWN_REASON)
        await self._tell(uow, event, "order_cancelled", reason=reason, refund_due=event.refund_due)

    async def _tell(
        self, uow: NotificationsUnitOfWork, event: OrderEventV1, template: str, **values: object
    ) -> None:
        await self._sender.send(
            uow,
            event.customer_email,
            template,
            name=event.customer_name,
            number=event.number,
            total=money(event.total_amount, event.currency),
            link=f"{self._public_url}/orders/{event.aggregate_id}",
            **values,
        )
