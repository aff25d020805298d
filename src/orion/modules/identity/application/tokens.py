"""Secrets handed to a client once (refresh tokens, emailed one-time links), of which only a
SHA-256 is kept: a stolen database holds nothing a client could present."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from orion.modules.identity.domain.errors import InvalidToken
from orion.modules.identity.domain.user import User

from .ports import IdentityUnitOfWork

SESSION_LIFETIME = timedelta(days=30)
RESET_LIFETIME = timedelta(hours=1)
VERIFY_LIFETIME = timedelta(days=2)
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token's purpose, not a password
EMAIL_VERIFICATION = "email_verification"


def new_secret() -> tuple[str, str]:
    """A random token for the client, and the hash we keep of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def redeem(
    uow: IdentityUnitOfWork, token: str, purpose: str, link: str, now: datetime
) -> User:
    """The user a one-time token belongs to, the token now used; ``InvalidToken`` otherwise."""
    user_id = await uow.tokens.consume(token_hash=token_hash(token), purpose=purpose, now=now)
    if user_id is None:
        raise InvalidToken(f"this {link} link is invalid, used or expired")
    return await uow.users.get(user_id)
