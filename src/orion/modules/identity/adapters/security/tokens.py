"""Access tokens: short-lived JWTs (HS256, pinned) naming the user, role and session.

Keys come from ``ORION_JWT_KEYS`` as ``kid:secret[,kid:secret]``: the first signs, all
verify, so a key can be rotated in without signing anyone out (add the new one first, wait
for the old tokens to expire, then drop the old one). A token's ``kid`` picks its key; a
token without one, with an unknown one, or with any other algorithm is refused.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import jwt
import structlog
from pydantic import SecretStr

from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.domain.errors import NotAuthenticated

log = structlog.get_logger("orion.identity")

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32


class InvalidAccessToken(NotAuthenticated):
    code = "invalid-access-token"
    title = "The access token is invalid or expired"


def parse_keys(spec: str) -> dict[str, bytes]:
    """``kid:secret,kid:secret`` to an ordered mapping; refuses weak or malformed keys."""
    keys: dict[str, bytes] = {}
    for part in spec.split(","):
        kid, sep, secret = part.strip().partition(":")
        if not sep or not kid or len(secret.encode()) < MIN_KEY_BYTES:
            raise ValueError(
                f"each key is kid:secret with a secret of at least {MIN_KEY_BYTES} bytes"
            )
        keys[kid] = secret.encode()
    return keys


def signing_keys(configured: SecretStr | None, data_dir: Path) -> dict[str, bytes]:
    """``ORION_JWT_KEYS``, or else a key of this data dir's own, made once and kept (fine for
    one machine; replicas behind a balancer must share ``ORION_JWT_KEYS``)."""
    if configured is not None:
        return parse_keys(configured.get_secret_value())
    path = data_dir / "jwt.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"local:{secrets.token_urlsafe(48)}")
        log.warning("jwt_key_generated", path=str(path), hint="set ORION_JWT_KEYS in production")
    return parse_keys(path.read_text().strip())


class JwtAccessTokens:
    def __init__(
        self, keys: dict[str, bytes], *, issuer: str, audience: str, lifetime_s: int
    ) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = keys
        self._signing_kid = next(iter(keys))
        self._issuer = issuer
        self._audience = audience
        self.lifetime_s = lifetime_s

    def issue(self, principal: Principal, *, now: datetime) -> str:
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(principal.user_id),
            "sid": str(principal.session_id),
            "role": principal.role,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + timedelta(seconds=self.lifetime_s),
        }
        return jwt.encode(
            claims,
            self._keys[self._signing_kid],
            algorithm=ALGORITHM,
            headers={"kid": self._signing_kid},
        )

    def read(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise InvalidAccessToken("the token names no key this API has")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "sid", "role", "jti"]},
            )
            return Principal(
                user_id=uuid.UUID(claims["sub"]),
                role=str(claims["role"]),
                session_id=uuid.UUID(claims["sid"]),
            )
        except (jwt.InvalidTokenError, ValueError, TypeError) as error:
            raise InvalidAccessToken(_in_words(error)) from None


def _in_words(error: Exception) -> str:
    """Why a token was refused, for the client: plain words, never the library's names."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return "the access token has expired: refresh it, or sign in again"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "the access token is not valid yet"
    if isinstance(error, jwt.InvalidIssuerError | jwt.InvalidAudienceError):
        return "the access token was not issued for this API"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return "the access token lacks a claim this API requires"
    return "the access token is malformed or its signature does not match"
