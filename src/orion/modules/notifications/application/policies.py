"""Reactions to other modules' events, one class per reaction: each tells the customer by
one email, sent once (``sending.py``), in the consumer's transaction."""

from __future__ import annotations

from urllib.parse import urlencode

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


class TokenEmailPolicy:
    """An email whose link carries a one-time token to the page of its action: the
    storefront's (``ORION_VERIFY_EMAIL_URL``...), or Orion's own."""

    def __init__(self, *, sender: EmailSender, page: str) -> None:
        self._sender = sender
        self._page = page

    def _link(self, token: str) -> str:
        """The page's address with ``token=`` added to its query (a storefront's may have one)."""
        return f"{self._page}{'&' if '?' in self._page else '?'}{urlencode({'token': token})}"


class SendVerificationEmailOnUserRegistered(TokenEmailPolicy):
    async def __call__(self, event: UserRegisteredV1, uow: NotificationsUnitOfWork) -> None:
        link = self._link(event.verification_token)
        await self._sender.send(uow, event.email, "verify_email", name=event.full_name, link=link)


class SendPasswordResetEmailOnPasswordResetRequested(TokenEmailPolicy):
    async def __call__(self, event: PasswordResetRequestedV1, uow: NotificationsUnitOfWork) -> None:
        link = self._link(event.reset_token)
        await self._sender.send(
            uow,
            event.email,
            "reset_password",
            name=event.full_name,
            link=link,
            expires_at=event.expires_at,
        )


class SendSignUpNoticeOnRegistrationAttempted:
    """The owner of an email someone tried to sign up with hears of it, with the shop's
    address to sign in (or ask for a new password) instead."""

    def __init__(self, *, sender: EmailSender, public_url: str) -> None:
        self._sender = sender
        self._public_url = public_url.rstrip("/")

    async def __call__(self, event: RegistrationAttemptedV1, uow: NotificationsUnitOfWork) -> None:
        await self._sender.send(
            uow, event.email, "registration_attempted", name=event.full_name, link=self._public_url
        )


class OrderEmailPolicy:
    """Every email about an order names it, shows its total and links to it on the shop."""

    def __init__(self, *, sender: EmailSender, public_url: str) -> None:
        self._sender = sender
        self._public_url = public_url.rstrip("/")

    async def _tell(
        self, uow: NotificationsUnitOfWork, event: OrderEventV1, template: str, **values: object
    ) -> None:
        await self._sender.send(
            uow,
            event.customer_email,
            template,
            about=event,
            name=event.customer_name,
            number=event.number,
            total=money(event.total_amount, event.currency),
            link=f"{self._public_url}/orders/{event.aggregate_id}",
            **values,
        )


class SendOrderConfirmationOnOrderPlaced(OrderEmailPolicy):
    """The confirmation lists the order's lines, each at its price and its total."""

    async def __call__(self, event: OrderPlacedV1, uow: NotificationsUnitOfWork) -> None:
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


class SendPaymentReceiptOnOrderPaid(OrderEmailPolicy):
    async def __call__(self, event: OrderPaidV1, uow: NotificationsUnitOfWork) -> None:
        await self._tell(uow, event, "order_paid")


class SendShippingNoticeOnOrderShipped(OrderEmailPolicy):
    async def __call__(self, event: OrderShippedV1, uow: NotificationsUnitOfWork) -> None:
        await self._tell(uow, event, "order_shipped")


class SendCancellationNoticeOnOrderCancelled(OrderEmailPolicy):
    """Says why, in words, and whether a refund follows."""

    async def __call__(self, event: OrderCancelledV1, uow: NotificationsUnitOfWork) -> None:
        reason = CANCELLATION_REASONS.get(event.reason, UNKNOWN_REASON)
        await self._tell(uow, event, "order_cancelled", reason=reason, refund_due=event.refund_due)
