"""JwtAccessTokens: what it issues, and every kind of token it refuses; key rotation by
``kid``; the keys setting's format. No I/O: the clock is passed in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from orion.modules.identity.adapters.security.tokens import (
    InvalidAccessToken,
    JwtAccessTokens,
    parse_keys,
)
from orion.shared_kernel.application.auth import Principal
from orion.shared_kernel.domain.errors import NotAuthenticated

KEY = b"k" * 48
ISSUER = "orion"
AUDIENCE = "orion-api"
PRINCIPAL = Principal(user_id=uuid.uuid4(), role="customer", session_id=uuid.uuid4())


def tokens(keys: dict[str, bytes] | None = None, lifetime_s: int = 900) -> JwtAccessTokens:
    return JwtAccessTokens(
        keys or {"now": KEY}, issuer=ISSUER, audience=AUDIENCE, lifetime_s=lifetime_s
    )


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_issue_then_read_gives_the_principal_back() -> None:
    issuer = tokens()
    token = issuer.issue(PRINCIPAL, now=now())
    assert issuer.read(token) == PRINCIPAL
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "now", "typ": "JWT"}


def test_the_claims_and_a_lifetime_of_at_most_15_minutes() -> None:
    at = now()
    claims = claims_of(tokens().issue(PRINCIPAL, now=at))
    assert set(claims) == {"iss", "aud", "sub", "sid", "role", "jti", "iat", "exp"}
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == str(PRINCIPAL.user_id)
    assert claims["sid"] == str(PRINCIPAL.session_id)
    assert claims["role"] == "customer"
    assert claims["iat"] == int(at.timestamp())
    assert claims["exp"] - claims["iat"] == 900
    other = claims_of(tokens().issue(PRINCIPAL, now=at))
    assert other["jti"] != claims["jti"]


def test_an_expired_token_is_refused() -> None:
    issuer = tokens(lifetime_s=60)
    assert issuer.read(issuer.issue(PRINCIPAL, now=now() - timedelta(seconds=30))) == PRINCIPAL
    with pytest.raises(InvalidAccessToken, match="the access token has expired"):
        issuer.read(issuer.issue(PRINCIPAL, now=now() - timedelta(seconds=61)))


def by_hand(header: dict[str, Any], claims: dict[str, Any], key: bytes = KEY) -> str:
    """An HS256 token whose header PyJWT would not write."""
    signing_input = f"{b64url(header)}.{b64url(claims)}"
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def valid_claims() -> dict[str, Any]:
    return claims_of(tokens().issue(PRINCIPAL, now=now()))


def sign(
    claims: dict[str, Any], key: bytes = KEY, kid: str | None = "now", alg: str = "HS256"
) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={} if kid is None else {"kid": kid})


def drop(claim: str) -> dict[str, Any]:
    return {k: v for k, v in valid_claims().items() if k != claim}


REFUSED = {
    "alg none": lambda: f"{b64url({'alg': 'none', 'kid': 'now'})}.{b64url(valid_claims())}.",
    "alg none, no kid": lambda: f"{b64url({'alg': 'none'})}.{b64url(valid_claims())}.",
    "HS384 with the right key": lambda: sign(valid_claims(), alg="HS384"),
    "another key, same kid": lambda: sign(valid_claims(), key=b"o" * 48),
    "unknown kid": lambda: sign(valid_claims(), kid="old"),
    "no kid": lambda: sign(valid_claims(), kid=None),
    "kid not a string": lambda: by_hand({"alg": "HS256", "kid": 7}, valid_claims()),
    "wrong aud": lambda: sign(valid_claims() | {"aud": "elsewhere"}),
    "wrong iss": lambda: sign(valid_claims() | {"iss": "evil"}),
    "sub not a uuid": lambda: sign(valid_claims() | {"sub": "admin"}),
    "sid not a uuid": lambda: sign(valid_claims() | {"sid": "x"}),
    "iat in the future": lambda: sign(
        valid_claims() | {"iat": int((now() + timedelta(hours=1)).timestamp())}
    ),
    **{
        f"missing {claim}": (lambda claim=claim: sign(drop(claim)))
        for claim in ("exp", "iat", "iss", "aud", "sub", "sid", "role", "jti")
    },
    "garbage": lambda: "garbage",
    "empty": lambda: "",
    "two parts": lambda: "a.b",
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_refused(make: Any) -> None:
    with pytest.raises(InvalidAccessToken) as raised:
        tokens().read(make())
    assert isinstance(raised.value, NotAuthenticated)


def test_the_hand_made_signature_is_right() -> None:
    assert tokens().read(by_hand({"alg": "HS256", "kid": "now"}, valid_claims())) == PRINCIPAL


def test_tampered_signature_and_payload_are_refused() -> None:
    token = tokens().issue(PRINCIPAL, now=now())
    head, payload, signature = token.split(".")
    first = "A" if signature[0] != "A" else "B"
    with pytest.raises(InvalidAccessToken):
        tokens().read(f"{head}.{payload}.{first}{signature[1:]}")
    as_admin = b64url(claims_of(token) | {"role": "admin"})
    with pytest.raises(InvalidAccessToken):
        tokens().read(f"{head}.{as_admin}.{signature}")


def test_rotation_the_first_key_signs_and_every_key_verifies() -> None:
    before = tokens({"old": KEY})
    during = tokens({"new": b"n" * 48, "old": KEY})
    after = tokens({"new": b"n" * 48})
    old_token = before.issue(PRINCIPAL, now=now())
    new_token = during.issue(PRINCIPAL, now=now())
    assert jwt.get_unverified_header(new_token)["kid"] == "new"
    assert during.read(old_token) == during.read(new_token) == PRINCIPAL
    assert after.read(new_token) == PRINCIPAL
    with pytest.raises(InvalidAccessToken):
        after.read(old_token)
    with pytest.raises(InvalidAccessToken):
        before.read(new_token)


def test_at_least_one_key() -> None:
    with pytest.raises(ValueError, match="key"):
        JwtAccessTokens({}, issuer=ISSUER, audience=AUDIENCE, lifetime_s=900)


def test_parse_keys_keeps_the_order_the_first_signs() -> None:
    keys = parse_keys(f"b:{'1' * 32}, a:{'2' * 40}")
    assert list(keys) == ["b", "a"]
    assert keys["a"] == b"2" * 40


@pytest.mark.parametrize(
    "spec", ["", "nokid", f":{'s' * 32}", f"k:{'s' * 31}", f"k:{'s' * 32},weak:short"]
)
def test_parse_keys_refuses_weak_or_malformed_keys(spec: str) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        parse_keys(spec)
