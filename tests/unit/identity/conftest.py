"""The identity module as ``module.py`` puts it on the mediator (the same routes, the same
transactional ones), its adapters replaced by fakes: no server, milliseconds a test."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from dependency_injector import providers

from orion.modules.identity.application.commands import Register
from orion.modules.identity.contracts.events import PasswordResetAskedV1, RegistrationAskedV1
from orion.modules.identity.domain.user import User, normalize_email
from orion.modules.identity.module import MODULE, IdentityContainer
from orion.modules.identity.settings import IdentitySettings
from orion.shared_kernel.adapters.mediator import InProcessMediator
from orion.shared_kernel.adapters.messaging.consumer import Policy
from orion.shared_kernel.adapters.module import start
from orion.shared_kernel.application.messages import Command, IntegrationEvent, Query
from tests.fakes.clock import FrozenClock
from tests.fakes.identity import (
    FakeAccessTokens,
    FakeHasher,
    FakeIdentityReadModel,
    FakeIdentityUnitOfWork,
)
from tests.fakes.platform import fake_platform

R = TypeVar("R")
PASSWORD = "analytical engine 1843"


@dataclass
class Identity:
    uow: FakeIdentityUnitOfWork
    clock: FrozenClock
    hasher: FakeHasher
    tokens: FakeAccessTokens
    mediator: InProcessMediator
    policies: dict[type[IntegrationEvent], Policy] = field(default_factory=dict)

    async def send(self, command: Command[R]) -> R:
        return await self.mediator.send(command)

    async def ask(self, query: Query[R]) -> R:
        return await self.mediator.ask(query)

    async def customer(self, email: str = "ada@example.com", **changes: Any) -> User:
        """A registered customer (``changes``: attributes set on the stored row), its sign-up
        completed, with the commits, events and hashing that made it forgotten."""
        await self.send(Register(email=email, password=PASSWORD, full_name="Ada Lovelace"))
        await self.deliver()
        user = self.uow.user_by_email(normalize_email(email))
        assert user is not None
        for name, value in changes.items():
            setattr(user, name, value)
        self.forget()
        return user

    async def deliver(self) -> None:
        """Runs identity's policies on the events its commits staged, each in a transaction
        of its own, as its consumer does after the answer."""
        for event in list(self.uow.outbox):
            policy = self.policies.get(type(event))
            if policy is not None:
                async with self.uow:
                    await policy(event, self.uow)
                    await self.uow.commit()

    def forget(self) -> None:
        self.uow.outbox.clear()
        self.uow.commits = self.uow.rollbacks = 0
        self.hasher.hashes = self.hasher.verifications = 0


@pytest.fixture
def identity() -> Identity:
    uow = FakeIdentityUnitOfWork()
    hasher, tokens, clock = FakeHasher(), FakeAccessTokens(), FrozenClock()
    platform = fake_platform(clock, InProcessMediator())
    fakes = {
        IdentityContainer.uow: uow,
        IdentityContainer.hasher: hasher,
        IdentityContainer.tokens: tokens,
        IdentityContainer.read_model: FakeIdentityReadModel(uow),
    }
    with ExitStack() as overrides:
        for provider, fake in fakes.items():
            overrides.enter_context(provider.override(providers.Object(fake)))
        running = start(MODULE, platform=platform, settings=IdentitySettings())
    return Identity(
        uow=uow,
        clock=clock,
        hasher=hasher,
        tokens=tokens,
        mediator=platform.mediator,
        policies={
            RegistrationAskedV1: running.container.complete_registration(),
            PasswordResetAskedV1: running.container.issue_reset_token(),
        },
    )
