"""The dashboard's door, through the app without a browser: admins only, a session identity
can end at once, CSRF on every write, a strict CSP on every page."""

from __future__ import annotations

from orion.bootstrap import Orion
from orion.modules.identity.application.commands import DisableUser, Register
from orion.modules.identity.contracts.commands import CreateAdmin
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Client
from tests.integration.ordering.helpers import PASSWORD


async def signed_in(client: Client, orion: Orion) -> None:
    await orion.mediator.send(
        CreateAdmin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Admin")
    )
    response = await client.post(
        "/admin/login", form={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 303, await response.get_data(as_text=True)
    assert response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP here: Secure behind TLS only


async def csrf(client: Client) -> str:
    page = await (await client.get("/admin/")).get_data(as_text=True)
    return page.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def test_an_admin_signs_in_and_sees_the_overview_under_a_strict_csp(
    client: Client, orion: Orion
) -> None:
    await signed_in(client, orion)
    response = await client.get("/admin/")
    assert response.status_code == 200, await response.get_data(as_text=True)
    page = await response.get_data(as_text=True)
    assert 'data-kpi="orders"' in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page
    assert "style=" not in page


async def test_nobody_is_sent_to_the_sign_in_page_and_a_write_is_refused(client: Client) -> None:
    response = await client.get("/admin/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/login"
    assert (await client.post("/admin/logout", form={})).status_code == 401


async def test_a_customer_cannot_sign_in_nor_use_a_token(client: Client, orion: Orion) -> None:
    await orion.mediator.send(Register(email="ada@example.com", password=PASSWORD, full_name="A"))
    refused = await client.post(
        "/admin/login", form={"email": "ada@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "Set-Cookie" not in refused.headers
    login = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    token = (await login.get_json())["access_token"]
    for method, path in (("GET", "/admin/"), ("POST", "/admin/logout")):
        answer = await client.open(
            path, method=method, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 403, path


async def test_a_write_without_its_csrf_token_is_refused(client: Client, orion: Orion) -> None:
    await signed_in(client, orion)
    assert (await client.post("/admin/logout", form={})).status_code == 403
    assert (await client.post("/admin/logout", form={"csrf": "guessed"})).status_code == 403
    assert (await client.get("/admin/")).status_code == 200  # still signed in
    signed_out = await client.post("/admin/logout", form={"csrf": await csrf(client)})
    assert signed_out.status_code == 303
    assert (await client.get("/admin/")).status_code == 303


async def test_a_disabled_admin_is_signed_out_at_once(client: Client, orion: Orion) -> None:
    await signed_in(client, orion)
    other = await orion.mediator.send(
        CreateAdmin(email="second@example.com", password=ADMIN_PASSWORD, full_name="Two")
    )
    me = await orion.mediator.send(
        CreateAdmin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Admin")
    )
    assert other.user_id != me.user_id
    await orion.mediator.send(DisableUser(user_id=me.user_id))
    assert (await client.get("/admin/")).status_code == 303


async def test_sign_in_is_throttled_as_the_apis_login(client: Client, orion: Orion) -> None:
    await orion.mediator.send(
        CreateAdmin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Admin")
    )
    wrong = {"email": ADMIN_EMAIL, "password": "not the password at all"}
    for _ in range(5):  # ORION_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: 5/minute
        assert (await client.post("/admin/login", form=wrong)).status_code == 401
    refused = await client.post("/admin/login", form=wrong)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many requests" in await refused.get_data(as_text=True)
