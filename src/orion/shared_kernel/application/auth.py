"""Who is calling: what every module may know of an authenticated caller.

The identity module issues and checks credentials; other modules only see a ``Principal``
through the ``Authenticator`` port, wired by the composition root.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from orion.shared_kernel.domain.roles import ADMIN


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class Authenticator(Protocol):
    async def authenticate(self, bearer_token: str) -> Principal:
        """The caller behind a bearer token; raises ``NotAuthenticated`` for any bad token,
        and for a token whose session ended (logout, password change, disabled account)."""
