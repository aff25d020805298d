"""The notifications module's composition: its consumers of identity's and ordering's events,
its mailer (SMTP when ``smtp_url`` is set, else ``.eml`` files) and templates, the admins'
notification log route (its query on the mediator), its migrations."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers
from quart import Blueprint
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.identity.contracts.events import PasswordResetRequestedV1, UserRegisteredV1
from orion.modules.identity.contracts.pages import RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE
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
)
from orion.modules.notifications.application.ports import Mailer
from orion.modules.notifications.application.queries import ListNotifications
from orion.modules.notifications.application.sending import EmailSender
from orion.modules.ordering.contracts.events import (
    OrderCancelledV1,
    OrderPaidV1,
    OrderPlacedV1,
    OrderShippedV1,
)
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, inbox_handler
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application import context
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "notifications"
OUTBOX = outbox
INBOX = inbox
MIGRATIONS = ModuleMigrations(
    schema="notifications", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


def mailer(*, smtp_url: str | None, timeout_s: float, folder: Path, sender: str) -> Mailer:
    """SMTP when a server is configured; else files under the data dir."""
    if smtp_url is None:
        return FileMailer(folder, sender=sender)
    return SmtpMailer(SmtpServer.from_url(smtp_url), sender=sender, timeout_s=timeout_s)


def page_url(storefront: str | None, public_url: str, orion_page: str) -> str:
    """The storefront's page for an action when the shop has one, else Orion's own."""
    return storefront or public_url.rstrip("/") + orion_page


class NotificationsContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    mediator = providers.Dependency(instance_of=InProcessMediator)
    config = providers.Configuration(strict=True)

    uow = providers.Factory(SqlNotificationsUnitOfWork, engine=engine)
    log = providers.Singleton(SqlNotificationLog, engine=engine)
    mailer = providers.Singleton(
        mailer,
        smtp_url=config.smtp_url,
        timeout_s=config.smtp_timeout_s,
        folder=config.mail_dir,
        sender=config.mail_sender,
    )
    sender = providers.Singleton(
        EmailSender,
        mailer=mailer,
        renderer=providers.Singleton(JinjaRenderer),
        message_id=providers.Object(context.causation_id.get),
    )
    identity_emails = providers.Singleton(
        SendEmailOnIdentityEvents,
        sender=sender,
        verify_email_url=providers.Callable(
            page_url, config.verify_email_url, config.public_url, VERIFY_EMAIL_PAGE
        ),
        reset_password_url=providers.Callable(
            page_url, config.reset_password_url, config.public_url, RESET_PASSWORD_PAGE
        ),
    )
    order_emails = providers.Singleton(
        SendEmailOnOrderEvents, sender=sender, public_url=config.public_url
    )
    blueprint = providers.Singleton(notifications_blueprint, mediator=mediator)


def register(container: NotificationsContainer, mediator: InProcessMediator) -> None:
    mediator.register(ListNotifications, container.log().list_notifications)


def subscriptions(container: NotificationsContainer) -> list[Subscription]:
    identity: SendEmailOnIdentityEvents = container.identity_emails()
    orders: SendEmailOnOrderEvents = container.order_emails()
    return [
        _subscription(
            container,
            "identity",
            {
                UserRegisteredV1: identity.on_user_registered,
                PasswordResetRequestedV1: identity.on_password_reset_requested,
            },
        ),
        _subscription(
            container,
            "ordering",
            {
                OrderPlacedV1: orders.on_order_placed,
                OrderPaidV1: orders.on_order_paid,
                OrderShippedV1: orders.on_order_shipped,
                OrderCancelledV1: orders.on_order_cancelled,
            },
        ),
    ]


def _subscription(
    container: NotificationsContainer,
    producer: str,
    policies: dict[type[IntegrationEvent], Policy],
) -> Subscription:
    handle = inbox_handler(consumer=NAME, uow=container.uow, policies=policies)
    return Subscription(
        consumer=NAME,
        producer=producer,
        types=frozenset(event_type.wire_name for event_type in policies),
        handle=recording_failures(handle, container.log()),
    )


def blueprints(container: NotificationsContainer) -> list[Blueprint]:
    return [container.blueprint()]
