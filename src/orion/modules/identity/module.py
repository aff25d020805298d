"""The identity module's composition: container, handlers on the mediator, HTTP routes,
the ``Authenticator`` every other module's guarded routes use, its consumer of its own events
(to drop cached profiles), and its migrations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers
from quart import Blueprint
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.modules.identity.adapters.cache import CachedIdentityReadModel, stale_keys
from orion.modules.identity.adapters.http.pages import account_pages_blueprint
from orion.modules.identity.adapters.http.routes import Limits, identity_blueprint
from orion.modules.identity.adapters.security.authenticator import SessionCheckingAuthenticator
from orion.modules.identity.adapters.security.passwords import Argon2Hasher, common_passwords
from orion.modules.identity.adapters.security.tokens import JwtAccessTokens
from orion.modules.identity.adapters.sql.read_model import SqlIdentityReadModel
from orion.modules.identity.adapters.sql.tables import inbox, outbox
from orion.modules.identity.adapters.sql.unit_of_work import SqlIdentityUnitOfWork
from orion.modules.identity.application import commands
from orion.modules.identity.application.handlers import IdentityHandlers, IdentityQueries
from orion.modules.identity.application.queries import GetUser, ListUsers
from orion.modules.identity.contracts.events import UserChangedV1
from orion.modules.identity.contracts.queries import GetCustomerContact
from orion.shared_kernel.adapters.cache import CacheInvalidation, ReadThroughCache
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import inbox_handler
from orion.shared_kernel.adapters.ratelimit import RateLimiter
from orion.shared_kernel.adapters.sql.migrations import ModuleMigrations
from orion.shared_kernel.application.clock import Clock

NAME = "identity"
OUTBOX = outbox
INBOX = inbox
MIGRATIONS = ModuleMigrations(
    schema="identity", versions=Path(__file__).parent / "adapters" / "sql" / "migrations"
)


class IdentityContainer(containers.DeclarativeContainer):
    engine: providers.Dependency[AsyncEngine] = providers.Dependency(instance_of=AsyncEngine)
    clock: providers.Dependency[Clock] = providers.Dependency()
    mediator = providers.Dependency(instance_of=InProcessMediator)
    limiter = providers.Dependency(instance_of=RateLimiter)
    cache = providers.Dependency(instance_of=ReadThroughCache)
    config = providers.Configuration(strict=True)

    invalidation = providers.Singleton(
        CacheInvalidation, cache=cache, keys=providers.Object(stale_keys)
    )
    uow = providers.Factory(
        SqlIdentityUnitOfWork, engine=engine, after_commit=invalidation.provided.after_commit
    )
    read_model = providers.Singleton(
        CachedIdentityReadModel,
        inner=providers.Singleton(SqlIdentityReadModel, engine=engine),
        cache=cache,
    )
    hasher = providers.Singleton(Argon2Hasher)
    tokens = providers.Singleton(
        JwtAccessTokens,
        keys=config.jwt_keys,
        issuer=config.jwt_issuer,
        audience=config.jwt_audience,
        lifetime_s=config.access_token_ttl_s,
    )
    handlers = providers.Singleton(
        IdentityHandlers,
        uow=uow.provider,
        clock=clock,
        hasher=hasher,
        tokens=tokens,
        common_passwords=providers.Callable(common_passwords),
    )
    queries = providers.Singleton(IdentityQueries, read_model=read_model)
    authenticator = providers.Singleton(
        SessionCheckingAuthenticator, tokens=tokens, read_model=read_model
    )
    limits = providers.Singleton(
        Limits,
        login_per_account=config.login_limit_per_account,
        login_per_address=config.login_limit_per_address,
        register_per_address=config.register_limit_per_address,
        reset_per_address=config.reset_limit_per_address,
    )
    blueprint = providers.Singleton(
        identity_blueprint, mediator=mediator, limiter=limiter, limits=limits
    )
    pages = providers.Singleton(account_pages_blueprint, mediator=mediator)


def register(container: IdentityContainer, mediator: InProcessMediator) -> None:
    handlers: IdentityHandlers = container.handlers()
    queries: IdentityQueries = container.queries()
    routes: dict[type, Callable[[Any], Awaitable[Any]]] = {
        commands.Register: handlers.register,
        commands.LogIn: handlers.log_in,
        commands.Refresh: handlers.refresh,
        commands.LogOut: handlers.log_out,
        commands.UpdateProfile: handlers.update_profile,
        commands.ChangePassword: handlers.change_password,
        commands.RequestPasswordReset: handlers.request_password_reset,
        commands.ResetPassword: handlers.reset_password,
        commands.VerifyEmail: handlers.verify_email,
        commands.DisableUser: handlers.disable_user,
        commands.EnableUser: handlers.enable_user,
        commands.ChangeRole: handlers.change_role,
        commands.CreateAdmin: handlers.create_admin,
        GetUser: queries.get_user,
        GetCustomerContact: queries.get_customer_contact,
        ListUsers: queries.list_users,
    }
    for message_type, handler in routes.items():
        mediator.register(message_type, handler)


def subscriptions(container: IdentityContainer) -> list[Subscription]:
    """Identity's own account changes, each dropping the cached profile (no other module's)."""
    return [
        Subscription(
            consumer=NAME,
            producer=NAME,
            types=frozenset({UserChangedV1.wire_name}),
            handle=inbox_handler(
                consumer=NAME,
                uow=container.uow,
                policies={UserChangedV1: container.invalidation()},
            ),
        )
    ]


def blueprints(container: IdentityContainer) -> list[Blueprint]:
    return [container.blueprint(), container.pages()]
