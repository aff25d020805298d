"""Sessions for another module's sign-in page (the admin dashboard): a password checked with
the same throttling as the API's login, an identity session that logout, disabling the
account and a password change end at once, and the check of that session on each request.
The other module keeps its own cookie and maps it to the session id; it never sees a token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from orion.shared_kernel.application.messages import Command, Query


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedIn:
    user_id: uuid.UUID
    session_id: uuid.UUID
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SignIn(Command[SignedIn]):
    """Throttled per account and client address as ``POST /api/v1/auth/login`` is; raises
    what it raises (invalid credentials 401, a disabled account 403, ``RateLimited`` 429)."""

    email: str
    password: str
    client_address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EndSession(Command[None]):
    """Signs the session out; an ended or unknown one is no error."""

    session_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class GetSessionRole(Query["str | None"]):
    """The role of the session's user now, or None when the session has ended (logout,
    expiry, a disabled account, a password change)."""

    session_id: uuid.UUID
    user_id: uuid.UUID
