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
from orion.modules.identity.adapters.http.throttle import (
    LoginLimits,
    LoginThrottle,
    ThrottledSignIn,
)
from orion.modules.identity.adapters.security.authenticator import SessionCheckingAuthenticator
from orion.modules.identity.adapters.security.passwords import Argon2Hasher, common_passwords
from orion.modules.identity.adapters.security.tokens import JwtAccessTokens, signing_keys
from orion.modules.identity.adapters.sql.read_model import SqlIdentityReadModel
from orion.modules.identity.adapters.sql.tables import audit, inbox, outbox
from orion.modules.identity.adapters.sql.unit_of_work import SqlIdentityUnitOfWork
from orion.modules.identity.application import commands
from orion.modules.identity.application.handlers import (
    accounts,
    admin,
    passwords,
    queries,
    sessions,
)
from orion.modules.identity.application.passwords import NewPasswords
from orion.modules.identity.application.policies import (
    CompleteRegistrationOnRegistrationAsked,
    IssueResetTokenOnPasswordResetAsked,
)
from orion.modules.identity.application.queries import GetUser, ListUsers
from orion.modules.identity.contracts.commands import CreateAdmin
from orion.modules.identity.contracts.events import (
    PasswordResetAskedV1,
    RegistrationAskedV1,
    UserChangedV1,
)
from orion.modules.identity.contracts.queries import GetCustomerContact, ListCustomerRecords
from orion.modules.identity.contracts.sessions import EndSession, GetSessionRole, SignIn
from orion.modules.identity.settings import IdentitySettings
from orion.shared_kernel.adapters.cache import CacheInvalidation
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
    cache = providers.Singleton(Platform.cache, platform, NAME)

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
    new_passwords = providers.Singleton(
        NewPasswords, hasher=hasher, common=providers.Callable(common_passwords)
    )
    register = providers.Singleton(
        accounts.RegisterHandler,
        uow=uow.provider,
        clock=clock,
        passwords=new_passwords,
    )
    update_profile = providers.Singleton(accounts.UpdateProfileHandler, clock=clock)
    verify_email = providers.Singleton(accounts.VerifyEmailHandler, clock=clock)
    log_in = providers.Singleton(
        sessions.LogInHandler, uow=uow.provider, clock=clock, hasher=hasher, tokens=tokens
    )
    refresh = providers.Singleton(
        sessions.RefreshHandler, uow=uow.provider, clock=clock, tokens=tokens
    )
    log_out = providers.Singleton(sessions.LogOutHandler, clock=clock)
    end_session = providers.Singleton(sessions.EndSessionHandler, clock=clock)
    change_password = providers.Singleton(
        passwords.ChangePasswordHandler,
        uow=uow.provider,
        clock=clock,
        hasher=hasher,
        passwords=new_passwords,
    )
    request_password_reset = providers.Singleton(passwords.RequestPasswordResetHandler, clock=clock)
    reset_password = providers.Singleton(
        passwords.ResetPasswordHandler,
        uow=uow.provider,
        clock=clock,
        passwords=new_passwords,
    )
    disable_user = providers.Singleton(admin.DisableUserHandler, clock=clock)
    enable_user = providers.Singleton(admin.EnableUserHandler, clock=clock)
    change_role = providers.Singleton(admin.ChangeRoleHandler, clock=clock)
    create_admin = providers.Singleton(
        admin.CreateAdminHandler,
        uow=uow.provider,
        clock=clock,
        passwords=new_passwords,
    )
    get_user = providers.Singleton(queries.GetUserHandler, read_model=read_model)
    get_customer_contact = providers.Singleton(
        queries.GetCustomerContactHandler, read_model=read_model
    )
    list_users = providers.Singleton(queries.ListUsersHandler, read_model=read_model)
    session_role = providers.Singleton(queries.GetSessionRoleHandler, read_model=read_model)
    customer_records = providers.Singleton(
        queries.ListCustomerRecordsHandler, read_model=read_model
    )
    complete_registration = providers.Singleton(
        CompleteRegistrationOnRegistrationAsked, clock=clock
    )
    issue_reset_token = providers.Singleton(IssueResetTokenOnPasswordResetAsked, clock=clock)
    authenticator = providers.Singleton(
        SessionCheckingAuthenticator, tokens=tokens, read_model=read_model
    )
    limits = providers.Singleton(
        Limits,
        register_per_address=settings.provided.register_limit_per_address,
        reset_per_address=settings.provided.reset_limit_per_address,
    )
    login_throttle = providers.Singleton(
        LoginThrottle,
        limiter=platform.provided.limiter,
        limits=providers.Singleton(
            LoginLimits,
            per_account_address=settings.provided.login_limit_per_account_address,
            per_address=settings.provided.login_limit_per_address,
            per_account=settings.provided.login_limit_per_account,
            max_delay_s=settings.provided.login_delay_max_s,
        ),
    )
    sign_in = providers.Singleton(
        ThrottledSignIn, throttle=login_throttle, log_in=log_in, tokens=tokens
    )
    blueprint = providers.Singleton(
        identity_blueprint,
        mediator=platform.provided.mediator,
        limiter=platform.provided.limiter,
        limits=limits,
        login_throttle=login_throttle,
    )
    pages = providers.Singleton(account_pages_blueprint, mediator=platform.provided.mediator)


class Identity(ModuleDefinition[IdentityContainer]):
    def routes(self, c: IdentityContainer) -> list[Route]:
        """Handlers that hash or verify a password open their own transactions (see
        ``application/handlers``); the others run in one the mediator opens."""
        return [
            Route(commands.Register, c.register()),
            Route(commands.LogIn, c.log_in()),
            Route(commands.Refresh, c.refresh()),
            Route(commands.LogOut, c.log_out(), unit_of_work=c.uow),
            Route(commands.UpdateProfile, c.update_profile(), unit_of_work=c.uow),
            Route(commands.ChangePassword, c.change_password()),
            Route(commands.RequestPasswordReset, c.request_password_reset(), unit_of_work=c.uow),
            Route(commands.ResetPassword, c.reset_password()),
            Route(commands.VerifyEmail, c.verify_email(), unit_of_work=c.uow),
            Route(commands.DisableUser, c.disable_user(), unit_of_work=c.uow),
            Route(commands.EnableUser, c.enable_user(), unit_of_work=c.uow),
            Route(commands.ChangeRole, c.change_role(), unit_of_work=c.uow),
            Route(CreateAdmin, c.create_admin()),
            Route(GetUser, c.get_user()),
            Route(GetCustomerContact, c.get_customer_contact()),
            Route(ListUsers, c.list_users()),
            Route(ListCustomerRecords, c.customer_records()),
            Route(SignIn, c.sign_in()),
            Route(EndSession, c.end_session(), unit_of_work=c.uow),
            Route(GetSessionRole, c.session_role()),
        ]

    def subscriptions(self, c: IdentityContainer) -> list[Subscription]:
        """Identity's own events: each account change drops the cached profile; a sign-up
        and a reset asked for are completed after their answers."""
        policies: dict[type[IntegrationEvent], Policy] = {
            UserChangedV1: c.invalidation(),
            RegistrationAskedV1: c.complete_registration(),
            PasswordResetAskedV1: c.issue_reset_token(),
        }
        return [subscription(consumer=NAME, producer=NAME, uow=c.uow, policies=policies)]

    def blueprints(self, c: IdentityContainer) -> list[Blueprint]:
        return [c.blueprint(), c.pages()]

    def app_extensions(self, c: IdentityContainer) -> dict[str, object]:
        """The ``Authenticator`` every module's guarded routes use."""
        return {AUTHENTICATOR: c.authenticator()}


MODULE = Identity(name=NAME, container=IdentityContainer, outbox=outbox, inbox=inbox, audit=audit)
