"""The ``Authenticator`` other modules' routes rely on: a valid signature is not enough, the
token's session must still be on (one indexed lookup), so that logout, a password change or
a disabled account take effect at once rather than when the token expires."""

from __future__ import annotations

from orion.modules.identity.application.ports import AccessTokens, IdentityReadModel
from orion.modules.identity.domain.errors import SessionEnded
from orion.shared_kernel.application.auth import Principal


class SessionCheckingAuthenticator:
    def __init__(self, tokens: AccessTokens, read_model: IdentityReadModel) -> None:
        self._tokens = tokens
        self._read_model = read_model

    async def authenticate(self, bearer_token: str) -> Principal:
        principal = self._tokens.read(bearer_token)
        if not await self._read_model.session_active(principal.session_id, principal.user_id):
            raise SessionEnded("the session of this token has ended")
        return principal
