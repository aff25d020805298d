"""The identity module's composition: container, handlers on the mediator, HTTP routes,
the ``Authenticator`` every other module's guarded routes use, its consumer of its own events
(to drop cached profiles), and its migrations. The only file of the module that
``bootstrap.py`` imports: it exports ``MODULE``."""

from __future__ import annotations

from dependency_injector import containers, providers
from quart import Blueprint

from orion.modules.identity.adapters.cache import CachedIdentityReadModel, stale_keys
from orion.modules.identity.adapters.http.pages import account_pages_blueprint
from orion.modules.identity.adapters.http.routes import Limits, identity_blueprint
from orion.modules.identity.adapters.security.authenticator import SessionCheckingAuthenticator
from orion.modules.identity.adapters.security.passwords import Argon2Hasher, common_passwords
from orion.modules.identity.adapters.security.tokens import JwtAccessTokens, signing_keys
from orion.modules.identity.adapters.sql.read_model import SqlIdentityReadModel
from orion.modules.identity.adapters.sql.tables import inbox, outbox
from orion.modules.identity.adapters.sql.unit_of_work import SqlIdentityUnitOfWork
from orion.modules.identity.application import commands
from orion.modules.identity.application.handlers import IdentityHandlers, IdentityQueries
from orion.modules.identity.application.queries import GetUser, ListUsers
from orion.modules.identity.contracts.commands import CreateAdmin
from orion.modules.identity.contracts.events import UserChangedV1
from orion.modules.identity.contracts.queries import GetCustomerContact
from orion.modules.identity.settings import IdentitySettings
from orion.shared_kernel.adapters.cache import CacheInvalidation, ReadThroughCache
from orion.shared_kernel.adapters.http.auth import AUTHENTICATOR
from orion.shared_kernel.adapters.messaging.broker import Subscription
from orion.shared_kernel.adapters.messaging.consumer import Policy, subscription
from orion.shared_kernel.adapters.module import ModuleDefinition, Platform, Route
from orion.shared_kernel.application.messages import IntegrationEvent

NAME = "identity"


class IdentityContainer(containers.DeclarativeContainer):
    platform = providers.Dependency(instance_of=Platform)
    settings = providers.Dependency(instance_of=IdentitySettings)

    engine = platform.provided.engine
    clock = platform.provided.clock
    cache = providers.Singleton(
        ReadThroughCache,
        backend=platform.provided.cache_backend,
        namespace=NAME,
        ttl_s=settings.provided.cache_ttl_s,
    )

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
        keys=providers.Callable(
            signing_keys, settings.provided.jwt_keys, settings.provided.data_dir
        ),
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        lifetime_s=settings.provided.access_token_ttl_s,
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
        login_per_account=settings.provided.login_limit_per_account,
        login_per_address=settings.provided.login_limit_per_address,
        register_per_address=settings.provided.register_limit_per_address,
        reset_per_address=settings.provided.reset_limit_per_address,
    )
    blueprint = providers.Singleton(
        identity_blueprint,
        mediator=platform.provided.mediator,
        limiter=platform.provided.limiter,
        limits=limits,
    )
    pages = providers.Singleton(account_pages_blueprint, mediator=platform.provided.mediator)


class Identity(ModuleDefinition[IdentityContainer]):
    def routes(self, c: IdentityContainer) -> list[Route]:
        handlers: IdentityHandlers = c.handlers()
        queries: IdentityQueries = c.queries()
        return [
            Route(commands.Register, handlers.register),
            Route(commands.LogIn, handlers.log_in),
            Route(commands.Refresh, handlers.refresh),
            Route(commands.LogOut, handlers.log_out),
            Route(commands.UpdateProfile, handlers.update_profile),
            Route(commands.ChangePassword, handlers.change_password),
            Route(commands.RequestPasswordReset, handlers.request_password_reset),
            Route(commands.ResetPassword, handlers.reset_password),
            Route(commands.VerifyEmail, handlers.verify_email),
            Route(commands.DisableUser, handlers.disable_user),
            Route(commands.EnableUser, handlers.enable_user),
            Route(commands.ChangeRole, handlers.change_role),
            Route(CreateAdmin, handlers.create_admin),
            Route(GetUser, queries.get_user),
            Route(GetCustomerContact, queries.get_customer_contact),
            Route(ListUsers, queries.list_users),
        ]

    def subscriptions(self, c: IdentityContainer) -> list[Subscription]:
        """Identity's own account changes, each dropping the cached profile."""
        policies: dict[type[IntegrationEvent], Policy] = {UserChangedV1: c.invalidation()}
        return [subscription(consumer=NAME, producer=NAME, uow=c.uow, policies=policies)]

    def blueprints(self, c: IdentityContainer) -> list[Blueprint]:
        return [c.blueprint(), c.pages()]

    def app_extensions(self, c: IdentityContainer) -> dict[str, object]:
        """The ``Authenticator`` every module's guarded routes use."""
        return {AUTHENTICATOR: c.authenticator()}


MODULE = Identity(name=NAME, container=IdentityContainer, outbox=outbox, inbox=inbox)
