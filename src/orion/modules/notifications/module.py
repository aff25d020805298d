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
from orion.modules.notifications.adapters.http.routes import notifications_blueprint
from orion.modules.notifications.adapters.mail.files import FileMailer
from orion.modules.notifications.adapters.mail.smtp import SmtpMailer, SmtpServer
from orion.modules.notifications.adapters.mail.templates import JinjaRenderer
from orion.modules.notifications.adapters.messaging.failures import recording_failures
from orion.modules.notifications.adapters.sql.log import SqlNotificationLog
from orion.modules.notifications.adapters.sql.tables import inbox, outbox
from orion.modules.notifications.adapters.sql.unit_of_work import SqlNotificationsUnitOfWork
from orion.modules.notifications.application.policies import (
    SendEmailOnIdentityEvents,
    SendEmailOnOrderEvents,
    SendEmailOnRegistrationAttempted,
)
from orion.modules.notifications.application.ports import Mailer
from orion.modules.notifications.application.queries import ListNotifications
from orion.modules.notifications.application.sending import EmailSender
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
    identity_emails = providers.Singleton(
        SendEmailOnIdentityEvents, sender=sender, public_url=settings.provided.public_url
    )
    registration_attempted = providers.Singleton(
        SendEmailOnRegistrationAttempted, sender=sender, public_url=settings.provided.public_url
    )
    order_emails = providers.Singleton(
        SendEmailOnOrderEvents, sender=sender, public_url=settings.provided.public_url
    )
    blueprint = providers.Singleton(notifications_blueprint, mediator=platform.provided.mediator)


class Notifications(ModuleDefinition[NotificationsContainer]):
    def routes(self, c: NotificationsContainer) -> list[Route]:
        return [Route(ListNotifications, c.log().list_notifications)]

    def subscriptions(self, c: NotificationsContainer) -> list[Subscription]:
        """Every email is logged, sent or failed (``recording_failures``)."""
        identity: SendEmailOnIdentityEvents = c.identity_emails()
        orders: SendEmailOnOrderEvents = c.order_emails()
        by_producer: dict[str, Mapping[type[IntegrationEvent], Policy]] = {
            "identity": {
                UserRegisteredV1: identity.on_user_registered,
                PasswordResetRequestedV1: identity.on_password_reset_requested,
                RegistrationAttemptedV1: c.registration_attempted(),
            },
            "ordering": {
                OrderPlacedV1: orders.on_order_placed,
                OrderPaidV1: orders.on_order_paid,
                OrderShippedV1: orders.on_order_shipped,
                OrderCancelledV1: orders.on_order_cancelled,
            },
        }
        found = []
        for producer, policies in by_producer.items():
            plain = subscription(consumer=NAME, producer=producer, uow=c.uow, policies=policies)
            logged = recording_failures(plain.handle, c.log())
            found.append(dataclasses.replace(plain, handle=logged))
        return found

    def blueprints(self, c: NotificationsContainer) -> list[Blueprint]:
        return [c.blueprint()]


MODULE = Notifications(name=NAME, container=NotificationsContainer, outbox=outbox, inbox=inbox)
