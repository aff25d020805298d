"""Sessions end when they should, and then at once: both the access token (checked against
its session on every request) and the refresh token stop working.

Refresh reuse ends the whole session; logout ends one session; a password change ends every
other session; an admin's disable ends them all (and enable lets the owner sign in again).
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from orion.bootstrap import Orion
from orion.modules.identity.adapters.sql.tables import sessions
from tests.conftest import Client

from .helpers import (
    PASSWORD,
    bearer,
    claims,
    log_in,
    me,
    post,
    problem,
    refresh,
    sign_in,
    signed_in,
)

EMAIL = "ada@example.com"


async def assert_ended(client: Client, pair: dict[str, Any]) -> None:
    """Neither token of this pair works any more."""
    assert await me(client, pair["access_token"]) == 401
    await problem(await refresh(client, pair["refresh_token"]), 401, "session-ended")


async def assert_live(client: Client, pair: dict[str, Any]) -> dict[str, Any]:
    """Both tokens of this pair work; the refreshed pair (the old one is spent by it)."""
    assert await me(client, pair["access_token"]) == 200
    refreshed = await refresh(client, pair["refresh_token"])
    assert refreshed.status_code == 200, await refreshed.get_data(as_text=True)
    newer: dict[str, Any] = await refreshed.get_json()
    assert await me(client, newer["access_token"]) == 200
    return newer


async def test_reusing_a_spent_refresh_token_ends_the_whole_session(client: Client) -> None:
    first = await signed_in(client, EMAIL)
    elsewhere = await sign_in(client, EMAIL)  # another session of the same account
    second = await (await refresh(client, first["refresh_token"])).get_json()
    third = await (await refresh(client, second["refresh_token"])).get_json()
    assert claims(third["access_token"])["sid"] == claims(first["access_token"])["sid"]
    assert await me(client, third["access_token"]) == 200

    # the thief (or the victim) replays the spent token: refused...
    await problem(await refresh(client, first["refresh_token"]), 401, "session-ended")
    # ...and the newest pair of that session is refused too, both halves
    await assert_ended(client, third)
    # the account's other session is not that family: it lives on
    await assert_live(client, elsewhere)


async def test_each_refresh_gives_a_new_pair_and_unknown_tokens_are_refused(
    client: Client,
) -> None:
    pair = await signed_in(client, EMAIL)
    newer = await assert_live(client, pair)
    assert newer["refresh_token"] != pair["refresh_token"]
    assert newer["access_token"] != pair["access_token"]
    await problem(await refresh(client, "an-unknown-refresh-token"), 401, "session-ended")


async def test_racing_refreshes_with_one_token_never_both_win(client: Client, orion: Orion) -> None:
    """Refreshes with the same token at once (the thief's and the victim's): one gets a new
    pair, the others are reuse, and the session ends.

    To make them truly race, a blocker holds the session row while they start, so that
    every one of them has read the token before the first one spends it."""
    pair = await signed_in(client, EMAIL)
    racers = 4
    async with orion.engine.connect() as blocker:
        await blocker.execute(sa.select(sessions.c.id).with_for_update())
        answers = [
            asyncio.create_task(refresh(client, pair["refresh_token"])) for _ in range(racers)
        ]
        await waiting_on_locks(orion, racers)
        await blocker.rollback()
    statuses = sorted(answer.status_code for answer in await asyncio.gather(*answers))
    assert statuses == [200] + [401] * (racers - 1), statuses
    winner = await next(a.result() for a in answers if a.result().status_code == 200).get_json()
    await assert_ended(client, winner)
    async with orion.engine.connect() as connection:
        reasons = (await connection.execute(sa.select(sessions.c.revoked_reason))).scalars()
        assert list(reasons) == ["refresh token reused"]


async def waiting_on_locks(orion: Orion, count: int) -> None:
    """Returns once ``count`` statements of this database wait for a lock."""
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(10):
        while True:
            async with orion.engine.connect() as connection:
                if await connection.scalar(waiting) == count:
                    return
            await asyncio.sleep(0.01)


async def test_logout_ends_that_session_only(client: Client) -> None:
    pair = await signed_in(client, EMAIL)
    other = await sign_in(client, EMAIL)
    out = await post(client, "/api/v1/auth/logout", {"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    await assert_ended(client, pair)
    await assert_live(client, other)
    # logging out again, or with a token nobody knows, answers alike
    again = await post(client, "/api/v1/auth/logout", {"refresh_token": pair["refresh_token"]})
    assert again.status_code == 204
    unknown = await post(client, "/api/v1/auth/logout", {"refresh_token": "nobody's"})
    assert unknown.status_code == 204


async def test_logout_with_a_spent_refresh_token_still_ends_the_session(client: Client) -> None:
    pair = await signed_in(client, EMAIL)
    newer = await assert_live(client, pair)
    out = await post(client, "/api/v1/auth/logout", {"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    await assert_ended(client, newer)


async def test_a_password_change_ends_every_other_session(client: Client) -> None:
    here = await signed_in(client, EMAIL)
    phone = await sign_in(client, EMAIL)
    laptop = await sign_in(client, EMAIL)
    changed = await post(
        client,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "difference engine 1822"},
        **bearer(here["access_token"]),
    )
    assert changed.status_code == 204
    await assert_ended(client, phone)
    await assert_ended(client, laptop)
    await assert_live(client, here)
    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 401
    assert (await log_in(client, EMAIL, "difference engine 1822")).status_code == 200


async def test_a_wrong_current_password_changes_nothing(client: Client) -> None:
    here = await signed_in(client, EMAIL)
    other = await sign_in(client, EMAIL)
    refused = await post(
        client,
        "/api/v1/me/password",
        {"current_password": "not the password", "new_password": "difference engine 1822"},
        **bearer(here["access_token"]),
    )
    await problem(refused, 403, "wrong-password")
    await assert_live(client, other)
    assert (await log_in(client, EMAIL, PASSWORD)).status_code == 200


async def test_disable_ends_every_session_and_enable_lets_the_owner_back_in(
    client: Client, admin: dict[str, str]
) -> None:
    one = await signed_in(client, EMAIL)
    two = await sign_in(client, EMAIL)
    user_id = claims(one["access_token"])["sub"]

    disabled = await client.post(f"/api/v1/admin/users/{user_id}/disable", headers=admin)
    assert disabled.status_code == 200
    assert (await disabled.get_json())["disabled"] is True
    await assert_ended(client, one)
    await assert_ended(client, two)
    # the right password no longer opens a session
    await problem(await log_in(client, EMAIL), 401, "account-disabled")

    enabled = await client.post(f"/api/v1/admin/users/{user_id}/enable", headers=admin)
    assert enabled.status_code == 200
    assert (await enabled.get_json())["disabled"] is False
    # the ended sessions stay ended; a new sign-in works
    await assert_ended(client, one)
    await assert_live(client, await sign_in(client, EMAIL))


async def test_disable_and_enable_of_an_unknown_user_is_404(
    client: Client, admin: dict[str, str]
) -> None:
    nobody = "00000000-0000-0000-0000-000000000000"
    for action in ("disable", "enable"):
        answer = await client.post(f"/api/v1/admin/users/{nobody}/{action}", headers=admin)
        await problem(answer, 404, "user-not-found")
