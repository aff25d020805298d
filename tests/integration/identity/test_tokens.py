"""Forged and stale access tokens, each refused 401 on ``GET /api/v1/me``: the signature,
the algorithm, the key, the expiry, the issuer and the audience are all checked.

Every forgery starts from a genuine token's claims, and a control re-signs those claims
with the right key and kid: it passes, so each 401 below is due to the one thing forged.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from orion.bootstrap import Orion
from orion.modules.identity.adapters.security.tokens import JwtAccessTokens
from orion.shared_kernel.application.auth import Principal
from tests.conftest import JWT_KEYS, Client

from .helpers import bearer, claims, me, problem, signed_in

KID, _, SECRET = JWT_KEYS.partition(":")
OTHER_SECRET = "o" * 48


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A JWT built by hand: base64url header and payload, and an empty signature."""
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()), ""])


def signed(
    payload: dict[str, Any],
    *,
    secret: str = SECRET,
    kid: str | None = KID,
    algorithm: str = "HS256",
) -> str:
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(payload, secret, algorithm=algorithm, headers=headers)


def without(payload: dict[str, Any], claim: str) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != claim}


def flip_first_signature_char(token: str) -> str:
    head, payload, signature = token.split(".")
    first = "A" if signature[0] != "A" else "B"  # the first char's 6 bits all count
    return f"{head}.{payload}.{first}{signature[1:]}"


def principal_of(token: str) -> Principal:
    c = claims(token)
    return Principal(user_id=uuid.UUID(c["sub"]), role=c["role"], session_id=uuid.UUID(c["sid"]))


def as_admin(token: str) -> str:
    """The customer's own token with ``role`` changed to admin, its signature kept."""
    head, _, signature = token.split(".")
    payload = claims(token) | {"role": "admin"}
    return f"{head}.{b64url(json.dumps(payload).encode())}.{signature}"


Forgery = Callable[[str, dict[str, Any]], str]

FORGERIES: dict[str, Forgery] = {
    "alg none": lambda token, c: unsigned({"alg": "none", "typ": "JWT", "kid": KID}, c),
    "alg none as admin": lambda token, c: unsigned(
        {"alg": "none", "typ": "JWT", "kid": KID}, c | {"role": "admin"}
    ),
    "alg none without kid": lambda token, c: unsigned({"alg": "none", "typ": "JWT"}, c),
    "tampered signature": lambda token, c: flip_first_signature_char(token),
    "tampered payload (role admin)": lambda token, c: as_admin(token),
    "signature cut off": lambda token, c: token.rpartition(".")[0] + ".",
    "another key, same kid": lambda token, c: signed(c, secret=OTHER_SECRET),
    "another algorithm (HS384), right key": lambda token, c: signed(c, algorithm="HS384"),
    "wrong aud": lambda token, c: signed(c | {"aud": "someone-else"}),
    "wrong iss": lambda token, c: signed(c | {"iss": "evil"}),
    "unknown kid, right secret": lambda token, c: signed(c, kid="retired"),
    "no kid": lambda token, c: signed(c, kid=None),
    "missing sid": lambda token, c: signed(without(c, "sid")),
    "missing exp": lambda token, c: signed(without(c, "exp")),
    "missing aud": lambda token, c: signed(without(c, "aud")),
    "not a jwt": lambda token, c: "not-a-token",
}


@pytest.fixture
async def genuine(client: Client) -> str:
    pair = await signed_in(client, "ada@example.com")
    return str(pair["access_token"])


async def test_the_genuine_token_and_its_faithful_copy_pass(client: Client, genuine: str) -> None:
    assert await me(client, genuine) == 200
    # the forging helpers themselves make acceptable tokens when nothing is forged
    assert await me(client, signed(claims(genuine))) == 200


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
async def test_a_forged_token_is_refused(client: Client, genuine: str, forge: Forgery) -> None:
    forged = forge(genuine, claims(genuine))
    assert forged != genuine
    response = await client.get("/api/v1/me", headers=bearer(forged))
    document = await problem(response, 401, "invalid-access-token")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    # in words, not the JWT library's exception class (InvalidSignatureError...)
    assert document["detail"].startswith(("the access token ", "the token "))
    assert "Error" not in document["detail"]


async def test_an_expired_token_is_refused(client: Client, orion: Orion, genuine: str) -> None:
    tokens: JwtAccessTokens = orion.modules["identity"].container.tokens()
    principal = principal_of(genuine)
    # a live session: only the expiry is wrong
    fresh = tokens.issue(principal, now=datetime.now(UTC) - timedelta(seconds=30))
    assert await me(client, fresh) == 200
    stale = tokens.issue(principal, now=datetime.now(UTC) - timedelta(minutes=16))
    document = await problem(
        await client.get("/api/v1/me", headers=bearer(stale)), 401, "invalid-access-token"
    )
    assert document["detail"] == "the access token has expired: refresh it, or sign in again"


async def test_a_well_signed_token_of_no_live_session_is_refused(
    client: Client, genuine: str
) -> None:
    """The signature is not enough: the session named by ``sid`` must be on."""
    forged = signed(claims(genuine) | {"sid": str(uuid.uuid4())})
    await problem(await client.get("/api/v1/me", headers=bearer(forged)), 401, "session-ended")


async def test_no_token_or_another_scheme_is_refused(client: Client, genuine: str) -> None:
    for headers in (
        {},
        {"Authorization": genuine},
        {"Authorization": f"Basic {genuine}"},
        {"Authorization": "Bearer "},
    ):
        response = await client.get("/api/v1/me", headers=headers)
        await problem(response, 401, "not-authenticated")


async def test_a_token_signed_by_a_key_being_rotated_in_or_out_passes(
    client: Client, orion: Orion, genuine: str
) -> None:
    """``kid`` picks the key: with a second key configured, its tokens are accepted too."""
    c = claims(genuine)
    principal = principal_of(genuine)
    rotating = JwtAccessTokens(
        {"next": b"n" * 48, KID: SECRET.encode()},
        issuer=c["iss"],
        audience=c["aud"],
        lifetime_s=900,
    )
    by_next_key = rotating.issue(principal, now=datetime.now(UTC))
    assert jwt.get_unverified_header(by_next_key)["kid"] == "next"
    # this Orion knows only "test": the next key's token is refused here...
    assert await me(client, by_next_key) == 401
    # ...and accepted by a reader that knows both, as is the current key's token
    assert rotating.read(by_next_key) == rotating.read(genuine)
