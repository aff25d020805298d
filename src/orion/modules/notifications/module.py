"""The notifications module's composition: its consumers of identity's and ordering's events,
its mailer (SMTP when ``smtp_url`` is set, else ``.eml`` files) and templates, the admins'
notification log route (its query on the mediator), its migrations. The only file of the
module that ``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.identity.contracts.events import (
    PasswordResetRequestedV1,
    RegistrationAttemptedV1,
    UserRegisteredV1,
)
from orion.modules.identity.contracts.pages import RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE
from orion.modules.notifications.adapters.http.routes import notifications_blueprint
from orion.modules.notifications.adapters.mail.files import FileMailer
from orion.modules.notifications.adapters.mail.smtp import SmtpMailer, SmtpServer
from orion.modules.notifications.adapters.mail.templates import JinjaRenderer
from orion.modules.notifications.adapters.messaging.failures import recording_failures
from orion.modules.notifications.adapters.sql.log import SqlEmailRecords, SqlNotificationLog
from orion.modules.notifications.adapters.sql.tables import inbox, outbox
from orion.modules.notifications.adapters.sql.unit_of_work import SqlNotificationsUnitOfWork
from orion.modules.notifications.application.handlers import (
    GetEmailsAboutHandler,
    ListEmailsHandler,
    ListNotificationsHandler,
)
from orion.modules.notifications.application.policies import (
    SendCancellationNoticeOnOrderCancelled,
    SendOrderConfirmationOnOrderPlaced,
    SendPasswordResetEmailOnPasswordResetRequested,
    SendPaymentReceiptOnOrderPaid,
    SendShippingNoticeOnOrderShipped,
    SendSignUpNoticeOnRegistrationAttempted,
    SendVerificationEmailOnUserRegistered,
)
from orion.modules.notifications.application.ports import Mailer
from orion.modules.notifications.application.queries import ListNotifications
from orion.modules.notifications.application.sending import EmailSender
from orion.modules.notifications.contracts.log import ListEmails
from orion.modules.notifications.contracts.queries import GetEmailsAbout
from orion.modules.notifications.settings import NotificationsSettings
from orion.modules.ordering.contracts.events import (
    OrderCancelledV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, subscription
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.application import context
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "notifications"


def mailer(settings: NotificationsSettings) -> Mailer:
    """SMTP when a server is configured; else files under the data dir."""
    folder, sender = settings.data_dir / "outbox-mail", settings.mail_sender
    if settings.smtp_url is None:
        return FileMailer(folder, sender=sender)
    server = SmtpServer.from_url(settings.smtp_url.get_secret_value())
    return SmtpMailer(server, sender=sender, timeout_s=settings.smtp_timeout_s)


def page_url(storefront: str | None, public_url: str, orion_page: str) -> str:
    """The storefront's page for an action when the shop has one, else Orion's own."""
    return storefront or public_url.rstrip("/") + orion_page


class NotificationsContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=NotificationsSettings)

    uow = providers.Factory(SqlNotificationsUnitOfWork, engine=platform.provided.engine)
    log = providers.Singleton(SqlNotificationLog, engine=platform.provided.engine)
    mailer = providers.Singleton(mailer, settings)
    sender = providers.Singleton(
        EmailSender,
        mailer=mailer,
        renderer=providers.Singleton(JinjaRenderer),
        message_id=providers.Object(context.causation_id.get),
    )
    list_notifications = providers.Singleton(ListNotificationsHandler, read_model=log)
    emails_about = providers.Singleton(
        GetEmailsAboutHandler,
        records=providers.Singleton(SqlEmailRecords, engine=platform.provided.engine),
    )
    list_emails = providers.Singleton(ListEmailsHandler, read_model=log)
    public_url = settings.provided.public_url
    verification_email = providers.Singleton(
        SendVerificationEmailOnUserRegistered,
        sender=sender,
        page=providers.Callable(
            page_url, settings.provided.verify_email_url, public_url, VERIFY_EMAIL_PAGE
        ),
    )
    password_reset_email = providers.Singleton(
        SendPasswordResetEmailOnPasswordResetRequested,
        sender=sender,
        page=providers.Callable(
            page_url, settings.provided.reset_password_url, public_url, RESET_PASSWORD_PAGE
        ),
    )
    sign_up_notice = providers.Singleton(
        SendSignUpNoticeOnRegistrationAttempted, sender=sender, public_url=public_url
    )
    order_confirmation = providers.Singleton(
        SendOrderConfirmationOnOrderPlaced, sender=sender, public_url=public_url
    )
    payment_receipt = providers.Singleton(
        SendPaymentReceiptOnOrderPaid, sender=sender, public_url=public_url
    )
    shipping_notice = providers.Singleton(
        SendShippingNoticeOnOrderShipped, sender=sender, public_url=public_url
    )
    cancellation_notice = providers.Singleton(
        SendCancellationNoticeOnOrderCancelled, sender=sender, public_url=public_url
    )
    blueprint = providers.Singleton(notifications_blueprint, mediator=platform.provided.mediator)


class Notifications(ModuleDefinition[NotificationsContainer]):
    def routes(self, c: NotificationsContainer) -> list[Route]:
        return [
            Route(ListNotifications, c.list_notifications()),
            Route(GetEmailsAbout, c.emails_about()),
            Route(ListEmails, c.list_emails()),
        ]

    def policies(
        self, c: NotificationsContainer
    ) -> dict[str, Mapping[type[IntegrationEvent], Policy]]:
        """By producer, each event the module answers and the policy that answers it (the
        contract tests run each on its producer's golden JSON)."""
        return {
            "identity": {
                UserRegisteredV1: c.verification_email(),
                PasswordResetRequestedV1: c.password_reset_email(),
                RegistrationAttemptedV1: c.sign_up_notice(),
            },
            "ordering": {
                OrderPlacedV1: c.order_confirmation(),
                OrderPaidV1: c.payment_receipt(),
                OrderShippedV1: c.shipping_notice(),
                OrderCancelledV1: c.cancellation_notice(),
            },
        }

    def subscriptions(self, c: NotificationsContainer) -> list[Subscription]:
        """Every email is logged, sent or failed (``recording_failures``)."""
        found = []
        for producer, policies in self.policies(c).items():
            plain = subscription(consumer=NAME, producer=producer, uow=c.uow, policies=policies)
            logged = recording_failures(plain.handle, c.log())
            found.append(dataclasses.replace(plain, handle=logged))
        return found

    def blueprints(self, c: NotificationsContainer) -> list[Blueprint]:
        return [c.blueprint()]


MODULE = Notifications(name=NAME, container=NotificationsContainer, outbox=outbox, inbox=inbox)
