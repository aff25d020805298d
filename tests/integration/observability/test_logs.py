"""Log lines as an operator reads them: one checkout followed by its correlation id from the
API through the relay into every consumer, and no secret on any line of a whole journey."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import ReadableSpan

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import outbox as identity_outbox
from orion.modules.identity.adapters.sql.tables import users
from orion.shared_kernel.adapters.http.problems import log as http_log
from tests.conftest import JWT_KEYS, Client
from tests.integration.identity.helpers import make_user, stored_hash
from tests.integration.observability.conftest import LogLines
from tests.integration.ordering.helpers import (
    ORDER_BODY,
    PASSWORD,
    checkout,
    customer,
    order_status,
    product,
    put_item,
    settle,
)


async def test_one_checkout_carries_its_correlation_id_from_the_api_to_every_consumer(
    client: Client, orion: Orion, logs: LogLines, spans: list[ReadableSpan]
) -> None:
    await orion.start_consumers()
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))
    await settle(orion)
    logs.clear()

    response = await client.post(
        "/api/v1/orders",
        json=ORDER_BODY,
        headers={**headers, "Idempotency-Key": "k-1", "X-Request-ID": "checkout-42"},
    )
    assert response.status_code == 202
    assert response.headers["X-Request-ID"] == "checkout-42"
    await settle(orion)
    lines = logs.lines()
    order_id = (await response.get_json())["id"]
    assert await order_status(client, headers, order_id) == "paid"

    ours = [line for line in lines if line["logger"].startswith("orion")]
    assert {line.get("correlation_id") for line in ours} == {"checkout-42"}
    api = [line for line in ours if line.get("request_id") == "checkout-42"]
    assert any(line["event"] == "request_finished" for line in api)
    assert {line["module"] for line in api} == {"ordering"}
    assert all(line.get("user_id") for line in api)  # known once the token was checked
    relayed = [line for line in ours if line["event"] == "message_relayed"]
    assert {line["module"] for line in relayed} >= {"ordering", "payments"}
    assert all(line["request_id"] == line["message_id"] for line in relayed)
    consumed = {line["consumer"] for line in ours if line["event"] == "message_consumed"}
    assert all(line["request_id"] == line["message_id"] for line in ours if "consumer" in line)
    assert consumed >= {"catalog", "ordering", "payments", "notifications"}
    for line in ours:  # every line names its module, its request or message, its trace
        assert line.get("module"), line
        assert line.get("request_id"), line
        assert len(line.get("trace_id", "")) == 32, line
        assert len(line.get("span_id", "")) == 16, line
    assert len({line["trace_id"] for line in ours}) == 1


async def test_a_request_id_from_the_client_is_kept_only_when_well_formed(
    client: Client, logs: LogLines
) -> None:
    kept = await client.get("/health/live", headers={"X-Request-ID": "abc.DEF-1:2_3"})
    assert kept.headers["X-Request-ID"] == "abc.DEF-1:2_3"
    for garbled in ("a b", "x" * 129, "<script>", ""):
        made = await client.get("/health/live", headers={"X-Request-ID": garbled})
        assert made.headers["X-Request-ID"] != garbled
        assert len(made.headers["X-Request-ID"]) == 36  # a uuid of ours
    finished = [line for line in logs.lines() if line["event"] == "request_finished"]
    assert finished[0]["request_id"] == "abc.DEF-1:2_3"
    assert [line["request_id"] for line in finished[1:]] == [
        made_line["correlation_id"] for made_line in finished[1:]
    ]


async def test_no_password_token_or_key_reaches_a_log_line(
    client: Client, orion: Orion, logs: LogLines
) -> None:
    await orion.start_consumers()
    email = "grace@example.com"
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Grace Hopper"},
    )
    assert registered.status_code == 202
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD + " typo"}
    )
    assert wrong.status_code == 401
    pair = await (
        await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).get_json()
    newer = await (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).get_json()
    headers = {"Authorization": f"Bearer {newer['access_token']}"}
    await put_item(client, headers, await product(orion), quantity=2)
    assert (await checkout(client, headers)).status_code == 202
    new_password = "compilers are people too"
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=headers,
    )
    assert changed.status_code == 204
    reset = await client.post("/api/v1/auth/password-reset", json={"email": email})
    assert reset.status_code == 202
    await settle(orion)
    async with orion.engine.connect() as connection:
        payloads = (await connection.execute(sa.select(identity_outbox.c.payload))).scalars()
        one_time = [p.get("reset_token") or p.get("verification_token") for p in payloads]
    one_time = [token for token in one_time if token]
    assert len(one_time) >= 2  # the verification and the reset tokens
    stale = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}x"}
    )
    assert stale.status_code == 401

    text = logs.text()
    assert "request_finished" in text  # the run was logged, API and consumers
    assert "message_consumed" in text
    secrets = {
        "password": PASSWORD,
        "new password": new_password,
        "access token": pair["access_token"],
        "newer access token": newer["access_token"],
        "refresh token": pair["refresh_token"],
        "newer refresh token": newer["refresh_token"],
        "jwt signing key": JWT_KEYS.partition(":")[2],
        "payment token": ORDER_BODY["payment"]["token"],
        **{f"one-time token {i}": token for i, token in enumerate(one_time)},
    }
    leaked = [name for name, secret in secrets.items() if secret in text]
    assert leaked == []
    assert "Bearer" not in text


async def test_a_database_error_on_a_row_holding_a_hash_logs_no_parameter(
    orion: Orion, logs: LogLines
) -> None:
    """The error names its statement, never its values: not the hash, not the email."""
    email = "ada.hashed@example.com"
    await make_user(orion, email)
    hashed = await stored_hash(orion, email)

    async def fail() -> None:
        async with orion.engine.begin() as connection:
            try:
                await connection.execute(
                    sa.update(users)
                    .where(users.c.email == email)
                    .values(password_hash=hashed, version=users.c.version / 0)
                )
            except sa.exc.DBAPIError:
                http_log.exception("request_failed")  # as an unexpected error is logged
                raise

    with pytest.raises(sa.exc.DBAPIError):
        await fail()

    text = logs.text()
    assert "division by zero" in text
    assert "UPDATE identity.users" in text
    assert hashed not in text
    assert email not in text
