"""The notifications module's composition: its consumer of identity's events, its mailer
and templates, its migrations. It has no commands and no HTTP routes yet."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.identity.contracts.events import PasswordResetRequestedV1, UserRegisteredV1
from orion.modules.notifications.adapters.mail.files import FileMailer
from orion.modules.notifications.adapters.mail.templates import JinjaRenderer
from orion.modules.notifications.adapters.sql.tables import outbox
from orion.modules.notifications.adapters.sql.unit_of_work import SqlNotificationsUnitOfWork
from orion.modules.notifications.application.policies import SendEmailOnIdentityEvents
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import inbox_handler
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application import context

NAME = "notifications"
OUTBOX = outbox
MIGRATIONS = ModuleMigrations(
    schema="notifications", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


class NotificationsContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    config = providers.Configuration(strict=True)

    uow = providers.Factory(SqlNotificationsUnitOfWork, engine=engine)
    mailer = providers.Singleton(FileMailer, folder=config.mail_dir, sender=config.mail_sender)
    renderer = providers.Singleton(JinjaRenderer)
    identity_emails = providers.Singleton(
        SendEmailOnIdentityEvents,
        mailer=mailer,
        renderer=renderer,
        public_url=config.public_url,
        message_id=providers.Object(context.causation_id.get),
    )


def subscriptions(container: NotificationsContainer) -> list[Subscription]:
    policy: SendEmailOnIdentityEvents = container.identity_emails()
    handle = inbox_handler(
        consumer=NAME,
        uow=container.uow,
        policies={
            UserRegisteredV1: policy.on_user_registered,
            PasswordResetRequestedV1: policy.on_password_reset_requested,
        },
    )
    return [
        Subscription(
            consumer=NAME,
            producer="identity",
            types=frozenset({UserRegisteredV1.wire_name, PasswordResetRequestedV1.wire_name}),
            handle=handle,
        )
    ]
