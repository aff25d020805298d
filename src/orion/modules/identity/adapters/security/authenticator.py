"""The ``Authenticator`` other modules' routes rely on: a valid signature is not enough, the
token's session must still be on (one indexed lookup), so that logout, a password change or
a disabled account take effect at once rather than when the token expires; and the role is
the user's as that lookup reads it, not the token's claim, so a demotion does too."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Protocol

from orion.modules.identity.application.ports import AccessTokens
from orion.modules.identity.domain.errors import SessionEnded
from orion.shared_kernel.application.auth import Principal


class SessionRoles(Protocol):
    async def session_role(self, session_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
        """The role of the session's user, or None when the session is over."""


class SessionCheckingAuthenticator:
    def __init__(self, tokens: AccessTokens, read_model: SessionRoles) -> None:
        self._tokens = tokens
        self._read_model = read_model

    async def authenticate(self, bearer_token: str) -> Principal:
        principal = self._tokens.read(bearer_token)
        role = await self._read_model.session_role(principal.session_id, principal.user_id)
        if role is None:
            raise SessionEnded("the session of this token has ended")
        return dataclasses.replace(principal, role=role)
